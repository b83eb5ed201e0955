-- 13_definitions: workflow_definitions validated by the schema for raw
-- INSERT / UPDATE / DELETE: the steps JSON shape, step names, awaits values,
-- unknown keys, duplicates; a definition used by runs cannot change or go.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.bail off
-- the shipped definition
SELECT name, json_array_length(steps) FROM workflow_definitions;
SELECT s.key, json_extract(s.value, '$.name'), json_extract(s.value, '$.awaits')
  FROM workflow_definitions AS d, json_each(d.steps) AS s WHERE d.name = 'topical_map' ORDER BY s.key;
-- valid shapes: awaits omitted, null, clarification, approval
INSERT INTO workflow_definitions (name, steps) VALUES ('ok_minimal', '[{"name": "a"}]');
INSERT INTO workflow_definitions (name, steps) VALUES ('ok_awaits', '[{"name": "a", "awaits": null}, {"name": "b", "awaits": "clarification"}, {"name": "c", "awaits": "approval"}]');
INSERT INTO workflow_definitions (name, steps) VALUES ('ok_long_name', json_array(json_object('name', printf('%.100c', 's'))));
SELECT name FROM workflow_definitions ORDER BY name;
-- steps: not JSON, not an array, empty
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a"}'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', 'not json'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '{"name": "a"}'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '"a"'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '42'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', 'null'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', NULL); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', x'5b5d'); -- error
INSERT INTO workflow_definitions (name) VALUES ('bad'); -- error
-- elements: not objects
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '["a", "b"]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a"}, null]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[[{"name": "a"}]]'); -- error
-- name: missing, not text, empty, too long
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"awaits": "approval"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": 1}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": null}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": ["a"]}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": true}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": ""}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', json_array(json_object('name', printf('%.101c', 's')))); -- error
-- awaits: unknown values and types
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "awaits": "input"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "awaits": "Approval"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "awaits": ""}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "awaits": true}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "awaits": 1}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "awaits": ["approval"]}]'); -- error
-- unknown keys
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "timeout": 5}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "Awaits": "approval"}]'); -- error
-- duplicate step names
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a"}, {"name": "a"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a"}, {"name": "b", "awaits": "approval"}, {"name": "a", "awaits": "approval"}]'); -- error
-- a key twice in one step (SQLite's JSON functions keep both)
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a", "name": "b"}, {"name": "b"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a"}, {"name": "b", "awaits": "approval", "awaits": null}]'); -- error
-- step names with \u0000 (a run's step would be cut at it) or a lone
-- surrogate (invalid UTF-8); an escaped backslash and a surrogate pair are text
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a\u0000b"}, {"name": "c"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a\ud800"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('bad', '[{"name": "a"}, {"name": "\uDC00b"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('ok_escapes', '[{"name": "a\\u0000 \ud83d\ude00"}]');
SELECT json_extract(steps, '$[0].name') FROM workflow_definitions WHERE name = 'ok_escapes';
DELETE FROM workflow_definitions WHERE name = 'ok_escapes';
-- the definition's own name: empty, too long, duplicate
INSERT INTO workflow_definitions (name, steps) VALUES ('', '[{"name": "a"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES (printf('%.101c', 'w'), '[{"name": "a"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('topical_map', '[{"name": "a"}]'); -- error
-- none of the refused rows is there
SELECT name FROM workflow_definitions ORDER BY name;

-- UPDATE: validated the same way while no run uses the definition
UPDATE workflow_definitions SET steps = '[{"name": "a"}, {"name": "b", "awaits": "approval"}]' WHERE name = 'ok_minimal';
UPDATE workflow_definitions SET steps = '[]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '{}' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[1]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[{"name": 5}]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[{"name": "a", "awaits": "input"}]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[{"name": "a", "extra": 1}]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[{"name": "a"}, {"name": "a"}]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = NULL WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[{"name": "a", "name": "b"}]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[{"name": "a\u0000"}]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET steps = '[{"name": "\ud83d"}]' WHERE name = 'ok_minimal'; -- error
UPDATE workflow_definitions SET name = 'renamed' WHERE name = 'ok_minimal';
SELECT name, steps FROM workflow_definitions WHERE name IN ('ok_minimal', 'renamed');
-- DELETE of an unused definition is fine
DELETE FROM workflow_definitions WHERE name = 'ok_long_name';

-- a definition used by a run (active or ended) cannot change or be deleted
SELECT create_conversation('acme', 'c', '{"uid": "c1"}');
SELECT start_run(1, 'renamed');
UPDATE workflow_definitions SET steps = '[{"name": "a"}, {"name": "b"}, {"name": "c"}]' WHERE name = 'renamed'; -- error
UPDATE workflow_definitions SET name = 'other' WHERE name = 'renamed'; -- error
DELETE FROM workflow_definitions WHERE name = 'renamed'; -- error
DELETE FROM workflow_definitions; -- error
-- an UPDATE that changes neither name nor steps is harmless
UPDATE workflow_definitions SET steps = steps WHERE name = 'renamed';
UPDATE workflow_definitions SET created_at = '2026-06-01T00:00:00.000Z' WHERE name = 'renamed';
SELECT complete_run(1);
UPDATE workflow_definitions SET steps = '[{"name": "a"}]' WHERE name = 'renamed'; -- error
DELETE FROM workflow_definitions WHERE name = 'renamed'; -- error
DELETE FROM workflow_definitions WHERE name = 'topical_map';
SELECT name, steps FROM workflow_definitions ORDER BY name;
SELECT name, created_at FROM workflow_definitions WHERE name = 'renamed';
-- once its runs are gone (the conversation purged), it can change again
SELECT purge_conversation(1);
UPDATE workflow_definitions SET steps = '[{"name": "only"}]' WHERE name = 'renamed';
DELETE FROM workflow_definitions WHERE name = 'renamed';
SELECT count(*) FROM workflow_definitions;
-- a run of an unknown workflow
SELECT create_conversation('acme', 'c', '{"uid": "c2"}'); -- id 2: ids are never reused
SELECT start_run(2, 'topical_map'); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'topical_map'); -- error
SELECT start_run(2, 'ok_awaits');
SELECT status, current_step FROM workflow_runs;
-- raw rows: a name with a NUL (every C reader would cut it short), a
-- created_at that is no timestamp, on INSERT and UPDATE
INSERT INTO workflow_definitions (name, steps) VALUES (CAST(x'610062' AS TEXT), '[{"name": "a"}]'); -- error
INSERT INTO workflow_definitions (name, steps, created_at) VALUES ('w_time', '[{"name": "a"}]', 'yesterday'); -- error
INSERT INTO workflow_definitions (name, steps, created_at) VALUES ('w_time', '[{"name": "a"}]', '2026-01-01T00:00:00.000Z');
UPDATE workflow_definitions SET created_at = 'today' WHERE name = 'w_time'; -- error
UPDATE workflow_definitions SET name = CAST(x'770074' AS TEXT) WHERE name = 'w_time'; -- error
UPDATE workflow_definitions SET created_at = '2026-01-02T00:00:00.000Z' WHERE name = 'w_time';
SELECT name, created_at FROM workflow_definitions WHERE name = 'w_time';
-- a time that does not exist, or year 0000, as for the other tables
INSERT INTO workflow_definitions (name, steps, created_at) VALUES ('w_feb', '[{"name": "a"}]', '2026-02-30T00:00:00.000Z'); -- error
UPDATE workflow_definitions SET created_at = '0000-01-01T00:00:00.000Z' WHERE name = 'w_time'; -- error
