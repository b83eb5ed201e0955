// ChatflowSaver's declarations, as an ES module sees them: a checkpointer
// that LangGraph's compile() accepts.
import Database from 'better-sqlite3';
import { MessagesAnnotation, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver, CheckpointTuple } from '@langchain/langgraph-checkpoint';
import { ChatflowSaver } from 'chatflow/langgraph';

const saver: BaseCheckpointSaver = new ChatflowSaver(new Database(':memory:'), { owner: 'acme', messages: false });
const graph = new StateGraph(MessagesAnnotation).addNode('bot', () => ({ messages: [] }))
  .addEdge('__start__', 'bot').compile({ checkpointer: new ChatflowSaver(new Database(':memory:')) });
const tuple: CheckpointTuple | undefined = await saver.getTuple({ configurable: { thread_id: 't' } });
export { graph, tuple };
