-- 45_import_runs: an ended run in an import document holds no lease and
-- has a completed_at, with proposals (imported through a started run that
-- then ends) or without; a document that gives an ended run a lease
-- imports with the lease dropped, as the schema drops it from a run
-- inserted ended.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'T');
SELECT start_run(1, 'topical_map');
SELECT add_proposal(1, 'pillar', 'Bread');
SELECT cancel_run(1);
SELECT import_conversation('acme', json_set(export_conversation(1), '$.runs[0].lease_expires_at', '2026-01-05T00:00:00.000Z'));
SELECT import_conversation('acme', json_set(export_conversation(1), '$.runs[0].lease_expires_at', '2026-01-05T00:00:00.000Z',
                                            '$.runs[0].proposals', json('[]')));
SELECT import_conversation('acme', json_remove(export_conversation(1), '$.runs[0].completed_at'));
SELECT conversation_id, status, lease_expires_at, completed_at,
       (SELECT count(*) FROM workflow_proposals WHERE run_id = r.id)
  FROM workflow_runs AS r ORDER BY id;
SELECT * FROM chatflow_check() WHERE NOT ok;
PRAGMA integrity_check;
