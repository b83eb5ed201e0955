-- 07_interrupts: the workflow_interrupt virtual table over
-- workflow_interrupts (Neuron AI's layout): INSERT saves (replacing, keeping
-- created_at), SELECT by workflow_id, DELETE, UPDATE of data, errors.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.headers on
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('thread-1', x'0001ff');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('wf-text', 'O:8:"stdClass":0:{}');
INSERT INTO workflow_interrupt (workflow_id, data, created_at, updated_at)
  VALUES ('given-times', x'aa', '2025-05-05T05:05:05Z', '2025-06-06T06:06:06.600Z');
SELECT workflow_id, typeof(data), hex(data), created_at, updated_at FROM workflow_interrupt;
-- the backing table holds the same rows
SELECT workflow_id, typeof(data), hex(data), created_at, updated_at FROM workflow_interrupts ORDER BY 1;
-- point lookup
SELECT hex(data) FROM workflow_interrupt WHERE workflow_id = 'thread-1';
SELECT count(*) FROM workflow_interrupt WHERE workflow_id = 'missing';

-- INSERT of an existing id replaces data and keeps created_at
SELECT chatflow_clock('2026-01-01T00:05:00.000Z');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('thread-1', x'02');
SELECT workflow_id, hex(data), created_at, updated_at FROM workflow_interrupt WHERE workflow_id = 'thread-1';
-- whatever the conflict clause says
INSERT OR REPLACE INTO workflow_interrupt (workflow_id, data) VALUES ('thread-1', x'03');
REPLACE INTO workflow_interrupt (workflow_id, data) VALUES ('thread-1', x'04');
SELECT workflow_id, hex(data), created_at, updated_at FROM workflow_interrupt WHERE workflow_id = 'thread-1';
SELECT count(*) FROM workflow_interrupts;
-- saving again under the same pinned time keeps that time
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('thread-1', x'05');
SELECT workflow_id, hex(data), created_at, updated_at FROM workflow_interrupt WHERE workflow_id = 'thread-1';

-- UPDATE may change the data (and the times), not the id
SELECT chatflow_clock('2026-01-01T00:10:00.000Z');
UPDATE workflow_interrupt SET data = 'updated' WHERE workflow_id = 'wf-text';
SELECT workflow_id, data, created_at, updated_at FROM workflow_interrupt WHERE workflow_id = 'wf-text';
UPDATE workflow_interrupt SET updated_at = '2026-01-01T00:09:00Z' WHERE workflow_id = 'wf-text';
SELECT workflow_id, data, created_at, updated_at FROM workflow_interrupt WHERE workflow_id = 'wf-text';
-- DELETE removes
DELETE FROM workflow_interrupt WHERE workflow_id = 'given-times';
DELETE FROM workflow_interrupt WHERE workflow_id = 'missing';
SELECT workflow_id FROM workflow_interrupt;
SELECT changes();
-- a large checkpoint round-trips
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('big', zeroblob(1000000));
SELECT length(data), data = zeroblob(1000000) FROM workflow_interrupt WHERE workflow_id = 'big';
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('limit', zeroblob(16777216));
SELECT length(data) FROM workflow_interrupt WHERE workflow_id = 'limit';
DELETE FROM workflow_interrupt WHERE workflow_id IN ('big', 'limit');
-- inside a transaction, rolled back with it
BEGIN;
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('tx', x'01');
SELECT count(*) FROM workflow_interrupt;
ROLLBACK;
SELECT count(*) FROM workflow_interrupt;
-- a row that raw SQL gave rowid 0 is still found and replaced by a save
-- (not taken for a missing row and inserted again: a UNIQUE error)
INSERT INTO workflow_interrupts (rowid, workflow_id, data, created_at, updated_at)
VALUES (0, 'raw-0', x'00', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('raw-0', 'saved');
SELECT last_insert_rowid();
SELECT rowid, workflow_id, data, created_at, updated_at FROM workflow_interrupts WHERE workflow_id = 'raw-0';
DELETE FROM workflow_interrupt WHERE workflow_id = 'raw-0';
-- a raw UPDATE of data that does not set updated_at gets the clock's time
-- (here the statement clock row a call publishes, written by hand); when
-- the row's stamp is that instant already, the trigger writes nothing more
-- (total_changes() counts the trigger's write: 1 more, not 2)
INSERT INTO workflow_interrupt (workflow_id, data, created_at, updated_at)
VALUES ('raw-stamp', x'01', '2026-01-01T00:20:00.000Z', '2026-01-01T00:20:00.000Z');
BEGIN;
INSERT INTO chatflow_statement_clock (id, now) VALUES (1, '2026-01-01T00:20:00.000Z');
CREATE TEMP TABLE tc AS SELECT total_changes() AS n;
UPDATE workflow_interrupts SET data = x'02' WHERE workflow_id = 'raw-stamp';
SELECT total_changes() - (SELECT n FROM tc) AS rows_written;
UPDATE chatflow_statement_clock SET now = '2026-01-01T00:21:00.000Z';
DROP TABLE tc; CREATE TEMP TABLE tc AS SELECT total_changes() AS n;
UPDATE workflow_interrupts SET data = x'03' WHERE workflow_id = 'raw-stamp';
SELECT total_changes() - (SELECT n FROM tc) AS rows_written;
DELETE FROM chatflow_statement_clock;
DROP TABLE tc;
COMMIT;
SELECT workflow_id, hex(data), created_at, updated_at FROM workflow_interrupts WHERE workflow_id = 'raw-stamp';
DELETE FROM workflow_interrupt WHERE workflow_id = 'raw-stamp';
-- a run's interrupt is removed when the run ends (more in 05_runs)
SELECT create_conversation('acme');
SELECT start_run(1, 'topical_map');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(1), x'ab');
SELECT workflow_id FROM workflow_interrupt;
SELECT complete_run(1);
SELECT workflow_id FROM workflow_interrupt;
.headers off

.bail off
-- errors; none of them writes
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (NULL, x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('', x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (7, x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (x'41', x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (printf('%.201c', 'w'), x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (CAST(x'ff' AS TEXT), x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('w' || char(0), x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('w', NULL); -- error
INSERT INTO workflow_interrupt (workflow_id) VALUES ('w'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('w', 42); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('w', 4.2); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('w', zeroblob(16777217)); -- error
INSERT INTO workflow_interrupt (workflow_id, data, created_at) VALUES ('w', x'00', 'yesterday'); -- error
INSERT INTO workflow_interrupt (workflow_id, data, updated_at) VALUES ('w', x'00', 20260101); -- error
UPDATE workflow_interrupt SET workflow_id = 'renamed' WHERE workflow_id = 'wf-text'; -- error
UPDATE workflow_interrupt SET data = NULL WHERE workflow_id = 'wf-text'; -- error
-- created_at stays when the id was first saved: another value, or NULL,
-- is refused; the same value, or an UPDATE that leaves it out, is fine
UPDATE workflow_interrupt SET created_at = '2019-01-01T00:00:00.000Z' WHERE workflow_id = 'wf-text'; -- error
UPDATE workflow_interrupt SET created_at = NULL WHERE workflow_id = 'wf-text'; -- error
UPDATE workflow_interrupt SET data = data, created_at = created_at WHERE workflow_id = 'wf-text';
-- data is opaque: a serialised string with NULs (PHP's serialize() of a
-- protected property) is stored and read back as it is, and updated
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('php', 'O:1:"A":1:{s:4:"' || char(0) || '*' || char(0) || 'x";i:1;}');
UPDATE workflow_interrupt SET updated_at = '2026-01-02T00:00:00.000Z' WHERE workflow_id = 'php';
SELECT typeof(data), hex(data), updated_at FROM workflow_interrupt WHERE workflow_id = 'php';
DELETE FROM workflow_interrupt WHERE workflow_id = 'php';
-- empty data is data: an empty blob is saved as an empty blob (not NULL),
-- on insert and on update, and so is empty text
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('empty', x'');
SELECT typeof(data), length(data) FROM workflow_interrupt WHERE workflow_id = 'empty';
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('empty', '');
SELECT typeof(data), length(data) FROM workflow_interrupt WHERE workflow_id = 'empty';
UPDATE workflow_interrupt SET data = x'' WHERE workflow_id = 'empty';
SELECT typeof(data), length(data) FROM workflow_interrupt WHERE workflow_id = 'empty';
DELETE FROM workflow_interrupt WHERE workflow_id = 'empty';
SELECT workflow_id, data FROM workflow_interrupt;
SELECT count(*) FROM workflow_interrupts;
