// chatflow/langgraph: ChatflowSaver, a LangGraph checkpointer kept in chatflow.
import type { RunnableConfig } from '@langchain/core/runnables';
import type {
  BaseCheckpointSaver,
  Checkpoint,
  CheckpointListOptions,
  CheckpointMetadata,
  CheckpointTuple,
  ChannelVersions,
  PendingWrite,
  SerializerProtocol,
} from '@langchain/langgraph-checkpoint';

/** The part of a better-sqlite3 `Database` that ChatflowSaver uses. */
export interface ChatflowSaverDatabase {
  prepare(sql: string): unknown;
  transaction(fn: (...args: any[]) => any): (...args: any[]) => any;
  loadExtension(path: string): unknown;
}

export interface ChatflowSaverOptions {
  /**
   * Owner of the conversations created for new threads (default
   * `'langgraph'`). When given, the saver sees only this owner's threads:
   * another owner's thread reads as unknown and a write to it is refused.
   */
  owner?: string;
  /**
   * The channel whose LangChain messages are stored once each as the
   * thread's `chat_messages` (default `'messages'`); `false`: none.
   */
  messages?: string | false;
  /** The serializer (default: LangGraph's JsonPlusSerializer). */
  serde?: SerializerProtocol;
}

/**
 * A `BaseCheckpointSaver` over a better-sqlite3 `Database`: a thread is a
 * chatflow conversation (`thread_id` = its uid). `configurable.chatflow_run_id`
 * names the chatflow run a graph run belongs to; its writes are refused once
 * that run has ended. Loads chatflow and runs `chatflow_init()` on first use.
 */
export declare class ChatflowSaver extends BaseCheckpointSaver {
  constructor(db: ChatflowSaverDatabase, options?: ChatflowSaverOptions);
  db: ChatflowSaverDatabase;
  setup(): void;
  getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined>;
  list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple>;
  put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig>;
  putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string): Promise<void>;
  deleteThread(threadId: string): Promise<void>;
}
