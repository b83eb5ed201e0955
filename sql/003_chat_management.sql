-- chatflow schema migration 003: chat management — list previews and
-- keyset listing, full-text search, retention and statistics indexes,
-- forks.  Applied by chatflow_init() after 002; existing messages and
-- titles are indexed for search here.

-- The list view's preview of the last message, kept by triggers so a page
-- of conversation_list never reads chat_messages; and where a fork came from.
ALTER TABLE chat_conversations ADD COLUMN last_message_preview TEXT;
ALTER TABLE chat_conversations ADD COLUMN forked_from_id INTEGER;
ALTER TABLE chat_conversations ADD COLUMN forked_at_seq INTEGER;

UPDATE chat_conversations
   SET last_message_preview = (SELECT substr(content, 1, 120) FROM chat_messages
                                WHERE conversation_id = chat_conversations.id
                                ORDER BY seq DESC LIMIT 1);

CREATE TRIGGER chat_messages_preview_insert
AFTER INSERT ON chat_messages
BEGIN
  UPDATE chat_conversations SET last_message_preview = substr(NEW.content, 1, 120)
   WHERE id = NEW.conversation_id
     AND NOT EXISTS (SELECT 1 FROM chat_messages
                      WHERE conversation_id = NEW.conversation_id AND seq > NEW.seq);
END;

CREATE TRIGGER chat_messages_preview_delete
AFTER DELETE ON chat_messages
BEGIN
  UPDATE chat_conversations
     SET last_message_preview = (SELECT substr(content, 1, 120) FROM chat_messages
                                  WHERE conversation_id = OLD.conversation_id
                                  ORDER BY seq DESC LIMIT 1)
   WHERE id = OLD.conversation_id;
END;

-- conversation_list: one index range per (owner, deleted, archived) class,
-- in list order (pinned first, then most recently updated).
CREATE INDEX chat_conversations_list ON chat_conversations (
  owner, (deleted_at IS NOT NULL), (archived_at IS NOT NULL), (pinned_at IS NOT NULL),
  updated_at, id);

-- Retention: purge_deleted and archive_old_conversations find their rows
-- without a scan; delete_old_messages and the 30-day statistic by time.
CREATE INDEX chat_conversations_deleted ON chat_conversations (deleted_at)
  WHERE deleted_at IS NOT NULL;
CREATE INDEX chat_conversations_activity ON chat_conversations (
  coalesce(last_message_at, created_at)) WHERE deleted_at IS NULL AND archived_at IS NULL;
CREATE INDEX chat_messages_created ON chat_messages (created_at);

-- Full-text search over message content and conversation titles
-- (external-content FTS5 tables kept by triggers, so raw writes stay
-- searchable).
CREATE VIRTUAL TABLE chat_messages_fts USING fts5 (
  content, content = 'chat_messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE chat_titles_fts USING fts5 (
  title, content = 'chat_conversations', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('rebuild');
-- (titles: only the non-NULL ones, as the triggers do — a 'rebuild' would index
-- NULL titles as empty documents that a later title then duplicates)
INSERT INTO chat_titles_fts (rowid, title) SELECT id, title FROM chat_conversations WHERE title IS NOT NULL;

CREATE TRIGGER chat_messages_fts_insert
AFTER INSERT ON chat_messages
BEGIN
  INSERT INTO chat_messages_fts (rowid, content) VALUES (NEW.id, NEW.content);
END;

CREATE TRIGGER chat_messages_fts_delete
AFTER DELETE ON chat_messages
BEGIN
  INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content)
  VALUES ('delete', OLD.id, OLD.content);
END;

CREATE TRIGGER chat_titles_fts_insert
AFTER INSERT ON chat_conversations
WHEN NEW.title IS NOT NULL
BEGIN
  INSERT INTO chat_titles_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;

CREATE TRIGGER chat_titles_fts_update
AFTER UPDATE OF title ON chat_conversations
WHEN NEW.title IS NOT OLD.title
BEGIN
  INSERT INTO chat_titles_fts (chat_titles_fts, rowid, title)
  SELECT 'delete', OLD.id, OLD.title WHERE OLD.title IS NOT NULL;
  INSERT INTO chat_titles_fts (rowid, title)
  SELECT NEW.id, NEW.title WHERE NEW.title IS NOT NULL;
END;

CREATE TRIGGER chat_titles_fts_delete
AFTER DELETE ON chat_conversations
WHEN OLD.title IS NOT NULL
BEGIN
  INSERT INTO chat_titles_fts (chat_titles_fts, rowid, title) VALUES ('delete', OLD.id, OLD.title);
END;
