// A LangGraph chat graph whose checkpoints chatflow keeps.
import Database from 'better-sqlite3';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ChatflowSaver } from 'chatflow/langgraph';

const db = new Database(':memory:');
const checkpointer = new ChatflowSaver(db, { owner: 'acme' }); // loads chatflow, runs chatflow_init()

const graph = new StateGraph(MessagesAnnotation)
  .addNode('bot', ({ messages }) => ({
    messages: [new AIMessage(`You said: ${messages[messages.length - 1].content}`)],
  }))
  .addEdge(START, 'bot')
  .addEdge('bot', END)
  .compile({ checkpointer });

// thread_id is the conversation's uid: the first turn creates the conversation
const config = { configurable: { thread_id: 'support-42' } };
for (const text of ['Hello', 'Do you bake rye?']) {
  await graph.invoke({ messages: [new HumanMessage(text)] }, config);
}

// the graph's messages are the conversation's messages
const id = db.prepare("SELECT conversation_by_uid('support-42')").pluck().get();
for (const m of db.prepare('SELECT role, content FROM chat_history(?)').all(id)) {
  console.log(`${m.role}: ${m.content}`);
}

// a chatflow run around a graph run: one active run per thread, and an
// ended run writes no more checkpoints
const run = db.prepare("SELECT start_run(?, 'topical_map')").pluck().get(id);
await graph.invoke({ messages: [new HumanMessage('Thanks')] },
  { configurable: { ...config.configurable, chatflow_run_id: run } });
db.prepare('SELECT complete_run(?)').get(run);
try {
  await graph.invoke({ messages: [new HumanMessage('One more')] },
    { configurable: { ...config.configurable, chatflow_run_id: run } });
} catch (err) {
  console.log(err.message);
}

// deleteThread deletes the checkpoints and the conversation (restorable)
await checkpointer.deleteThread('support-42');
console.log(db.prepare('SELECT deleted_at IS NOT NULL FROM chat_conversations WHERE id = ?').pluck().get(id));
