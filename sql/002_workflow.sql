-- chatflow schema migration 002: workflow stepping — leases, the readable
-- event log, proposal checks.  Applied by chatflow_init() after 001.

-- expire_stale_runs() finds runs whose lease has passed without a scan.
CREATE INDEX workflow_runs_lease ON workflow_runs (lease_expires_at)
  WHERE lease_expires_at IS NOT NULL;

-- A run that waits for a person holds no lease, whoever moves it there.
CREATE TRIGGER workflow_runs_awaiting_no_lease
AFTER UPDATE OF status ON workflow_runs
WHEN NEW.status IN ('awaiting_clarification', 'awaiting_approval')
 AND NEW.lease_expires_at IS NOT NULL
BEGIN
  UPDATE workflow_runs SET lease_expires_at = NULL WHERE id = NEW.id;
END;

-- Proposals belong to a run that is still going when they are added.
CREATE TRIGGER workflow_proposals_active_run
BEFORE INSERT ON workflow_proposals
WHEN EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id
              AND status IN ('completed', 'failed', 'cancelled'))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: proposals can only be added to an active run');
END;

-- The run's audit trail, readably: one row per status or step change.
CREATE VIEW run_events AS
SELECT e.run_id,
       e.id AS event_id,
       e.created_at AS at,
       coalesce(e.from_status, '(new)') || ' -> ' || e.to_status AS transition,
       CASE WHEN e.from_step IS e.to_step THEN e.to_step
            ELSE coalesce(e.from_step, '(new)') || ' -> ' || e.to_step END AS step,
       e.from_status, e.to_status, e.from_step, e.to_step, e.detail
  FROM workflow_run_events AS e;

-- Raw SQL gets leases too: a run inserted, or moved to started/processing,
-- without a lease gets runs.lease_seconds (default 300) from now, as the
-- functions give it.
CREATE TRIGGER workflow_runs_lease_insert
AFTER INSERT ON workflow_runs
WHEN NEW.status IN ('started', 'processing') AND NEW.lease_expires_at IS NULL
BEGIN
  UPDATE workflow_runs
     SET lease_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ',
           coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
           '+' || coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                             WHERE key = 'runs.lease_seconds'), 300) || ' seconds')
   WHERE id = NEW.id;
END;

CREATE TRIGGER workflow_runs_lease_update
AFTER UPDATE OF status ON workflow_runs
WHEN NEW.status IN ('started', 'processing') AND NEW.lease_expires_at IS NULL
BEGIN
  UPDATE workflow_runs
     SET lease_expires_at = strftime('%Y-%m-%dT%H:%M:%fZ',
           coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
           '+' || coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                             WHERE key = 'runs.lease_seconds'), 300) || ' seconds')
   WHERE id = NEW.id;
END;

-- A finished run keeps its last step.
CREATE TRIGGER workflow_runs_finished_step
BEFORE UPDATE OF current_step ON workflow_runs
WHEN OLD.status IN ('completed', 'failed', 'cancelled')
 AND OLD.current_step IS NOT NULL AND NEW.current_step IS NOT OLD.current_step
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a finished run cannot change step');
END;

-- Runs start in the first step and leave it with advance_run, so the first
-- step cannot be one that waits for input.
CREATE TRIGGER workflow_definitions_first_step_insert
BEFORE INSERT ON workflow_definitions
WHEN json_valid(NEW.steps) AND json_extract(NEW.steps, '$[0].awaits') IN ('clarification', 'approval')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: the first step of a workflow cannot await input (runs start in it)');
END;

CREATE TRIGGER workflow_definitions_first_step_update
BEFORE UPDATE OF steps ON workflow_definitions
WHEN json_valid(NEW.steps) AND json_extract(NEW.steps, '$[0].awaits') IN ('clarification', 'approval')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: the first step of a workflow cannot await input (runs start in it)');
END;
