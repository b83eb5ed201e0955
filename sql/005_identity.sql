-- chatflow schema migration 005 (version 0.2): identity and integrity.
-- Applied by chatflow_init() after 004.

-- ---------------------------------------------------------------------------
-- Search in scripts written without spaces, and emoji
--
-- unicode61 (chat_messages_fts) makes a Chinese or Japanese sentence one
-- token and drops emoji.  These contentless trigram indexes hold every
-- message and title that contains a code point at or above U+0E00 (Thai
-- onwards: Lao, Tibetan, Myanmar, Khmer, CJK, Hangul, symbols, emoji), so
-- search_messages can route a query containing such a code point here and
-- find every match.  The indexed text is followed by two U+0001 characters:
-- a substring of one or two characters is then the prefix of some trigram
-- (found through the fts5vocab tables below), also at the end of the text.
-- Contentless: the triggers pass the same text to 'delete'.
CREATE VIRTUAL TABLE chat_messages_trigram USING fts5 (
  content, content = '', tokenize = 'trigram');
CREATE VIRTUAL TABLE chat_messages_trigram_terms USING fts5vocab (
  chat_messages_trigram, 'instance');
CREATE VIRTUAL TABLE chat_titles_trigram USING fts5 (
  title, content = '', tokenize = 'trigram');
CREATE VIRTUAL TABLE chat_titles_trigram_terms USING fts5vocab (
  chat_titles_trigram, 'instance');

INSERT INTO chat_messages_trigram (rowid, content)
SELECT id, content || char(1, 1) FROM chat_messages
 WHERE content GLOB '*[' || char(3584) || '-' || char(1114111) || ']*';
INSERT INTO chat_titles_trigram (rowid, title)
SELECT id, title || char(1, 1) FROM chat_conversations
 WHERE title GLOB '*[' || char(3584) || '-' || char(1114111) || ']*';

CREATE TRIGGER chat_messages_trigram_insert
AFTER INSERT ON chat_messages
WHEN NEW.content GLOB '*[' || char(3584) || '-' || char(1114111) || ']*'
BEGIN
  INSERT INTO chat_messages_trigram (rowid, content) VALUES (NEW.id, NEW.content || char(1, 1));
END;

CREATE TRIGGER chat_messages_trigram_delete
AFTER DELETE ON chat_messages
WHEN OLD.content GLOB '*[' || char(3584) || '-' || char(1114111) || ']*'
BEGIN
  INSERT INTO chat_messages_trigram (chat_messages_trigram, rowid, content)
  VALUES ('delete', OLD.id, OLD.content || char(1, 1));
END;

CREATE TRIGGER chat_titles_trigram_insert
AFTER INSERT ON chat_conversations
WHEN NEW.title GLOB '*[' || char(3584) || '-' || char(1114111) || ']*'
BEGIN
  INSERT INTO chat_titles_trigram (rowid, title) VALUES (NEW.id, NEW.title || char(1, 1));
END;

CREATE TRIGGER chat_titles_trigram_update
AFTER UPDATE OF title ON chat_conversations
WHEN NEW.title IS NOT OLD.title
BEGIN
  INSERT INTO chat_titles_trigram (chat_titles_trigram, rowid, title)
  SELECT 'delete', OLD.id, OLD.title || char(1, 1)
   WHERE OLD.title GLOB '*[' || char(3584) || '-' || char(1114111) || ']*';
  INSERT INTO chat_titles_trigram (rowid, title)
  SELECT NEW.id, NEW.title || char(1, 1)
   WHERE NEW.title GLOB '*[' || char(3584) || '-' || char(1114111) || ']*';
END;

CREATE TRIGGER chat_titles_trigram_delete
AFTER DELETE ON chat_conversations
WHEN OLD.title GLOB '*[' || char(3584) || '-' || char(1114111) || ']*'
BEGIN
  INSERT INTO chat_titles_trigram (chat_titles_trigram, rowid, title)
  VALUES ('delete', OLD.id, OLD.title || char(1, 1));
END;
