// LangGraph's conformance suite for checkpointers
// (@langchain/langgraph-checkpoint-validation), run against ChatflowSaver:
// a new in-memory better-sqlite3 Database with chatflow for each group of
// tests, as the suite's own SQLite run does.
import Database from 'better-sqlite3';
import { validate } from '@langchain/langgraph-checkpoint-validation';
import { ChatflowSaver } from 'chatflow/langgraph';

validate({
  checkpointerName: 'chatflow',
  createCheckpointer() {
    return new ChatflowSaver(new Database(':memory:'));
  },
  destroyCheckpointer(saver) {
    saver.db.close();
  },
});
