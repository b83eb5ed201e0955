-- The schema's test of "a time that exists" (date(x, '+0 days') against
-- the text's date, and an hour below 24) refuses exactly the texts of
-- chatflow's form that do not come back unchanged from strftime, the
-- definition: every year shape (0000, a leap year, a century that is not
-- one), month 00-19, day 00-39, hour 00-29.
WITH RECURSIVE
  y(v) AS (VALUES ('0000'), ('0004'), ('2024'), ('2026'), ('2100')),
  n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 39),
  t(x) AS (SELECT y.v || '-' || printf('%02d', mo.i) || '-' || printf('%02d', d.i) || 'T'
                  || printf('%02d', h.i) || ':59:59.999Z'
             FROM y, n AS mo, n AS d, n AS h WHERE mo.i < 20 AND h.i < 30)
SELECT count(*),
       sum((strftime('%Y-%m-%dT%H:%M:%fZ', x, '+0 days') IS NOT x)
           <> (date(x, '+0 days') IS NOT substr(x, 1, 10) OR substr(x, 12, 2) > '23')),
       sum(strftime('%Y-%m-%dT%H:%M:%fZ', x, '+0 days') IS NOT x)
  FROM t;
-- and the triggers use it: February 29 of a year that is not a leap year,
-- hour 24, month 13
SELECT chatflow_init();
SELECT create_conversation('acme');
.bail off
INSERT INTO chat_messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'x', '2026-02-29T10:00:00.000Z'); -- error
UPDATE chat_conversations SET pinned_at = '2026-01-01T24:00:00.000Z' WHERE id = 1; -- error
INSERT INTO workflow_runs (conversation_id, workflow, started_at) VALUES (1, 'topical_map', '2026-13-01T00:00:00.000Z'); -- error
INSERT INTO chat_messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'x', '2024-02-29T23:59:59.999Z');
SELECT created_at FROM chat_messages;
