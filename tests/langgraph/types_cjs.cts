// ChatflowSaver's declarations, as CommonJS sees them.
import Database = require('better-sqlite3');
import lg = require('@langchain/langgraph-checkpoint');
import chatflow = require('chatflow/langgraph');

const saver: lg.BaseCheckpointSaver = new chatflow.ChatflowSaver(new Database(':memory:'));
// @ts-expect-error: the options are typed
new chatflow.ChatflowSaver(new Database(':memory:'), { messages: 3 });
export = saver;
