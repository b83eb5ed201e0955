-- A user's images and PDFs reach the model (docs/history.md, chat_history_json):
-- a user message with a file part OpenAI's chat API takes is replayed with
-- its content as an array of content items in part order — text parts
-- {"type": "text"}, images {"type": "image_url"} (url http(s) or a base64
-- image data URL, as stored), PDFs given as a base64 data URL {"type":
-- "file", "file": {"filename", "file_data"}} — and every other file part
-- is left out; a user message without such a part is a string as before;
-- system and assistant messages stay text.  One message per line
-- (json_each), then export_conversation(id, 'openai') = chat_history_json.
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme');
-- 1 a system message with a file part: text only
SELECT add_message(1, 'system', 'Be brief.', '{"parts": [{"type": "text", "text": "Be brief."},
  {"type": "file", "mediaType": "image/png", "url": "https://x.example/sys.png"}]}');
-- 2 an image by data URL after the text (add_ui_message)
SELECT add_ui_message(1, '{"id": "u1", "role": "user", "parts": [{"type": "text", "text": "What is this?"},
  {"type": "file", "mediaType": "image/png", "filename": "a.png", "url": "data:image/png;base64,iVBORw0KGgo="}]}');
-- 3 an assistant message with a file part: text only, never an image
SELECT add_ui_message(1, '{"id": "a1", "role": "assistant", "parts": [{"type": "text", "text": "A croissant."},
  {"type": "file", "mediaType": "image/png", "url": "https://x.example/drawn.png"}]}');
-- 4 an image by https URL, then text: the order of the parts
SELECT add_ui_message(1, '{"id": "u2", "role": "user", "parts": [
  {"type": "file", "mediaType": "image/jpeg", "url": "https://x.example/b.jpg"},
  {"type": "text", "text": "and this one"},
  {"type": "file", "mediaType": "image/webp", "url": "https://x.example/c.webp"},
  {"type": "text", "text": "compared?"}]}');
-- 5 an image and no text: content '' (the text parts joined), one item
SELECT add_ui_message(1, '{"id": "u3", "role": "user", "parts": [
  {"type": "file", "mediaType": "image/gif", "url": "data:image/gif;base64,R0lGODlh"}]}');
-- 6 PDFs by data URL: the part's filename, else part-N.pdf (N: the item's
-- index in the content array); a PDF by https URL is left out
SELECT add_ui_message(1, '{"id": "u4", "role": "user", "parts": [
  {"type": "text", "text": "Summarise these."},
  {"type": "file", "mediaType": "application/pdf", "filename": "menu.pdf", "url": "data:application/pdf;base64,JVBERi0x"},
  {"type": "file", "mediaType": "application/pdf", "url": "https://x.example/far.pdf"},
  {"type": "file", "mediaType": "application/pdf", "url": "data:application/pdf;base64,JVBERi0y"}]}');
-- 7 only files OpenAI's chat API does not take: a PDF by https URL, a text
-- file: the text as a string, as before
SELECT add_ui_message(1, '{"id": "u5", "role": "user", "parts": [{"type": "text", "text": "Read the links."},
  {"type": "file", "mediaType": "application/pdf", "url": "https://x.example/far.pdf"},
  {"type": "file", "mediaType": "text/plain", "filename": "notes.txt", "url": "data:text/plain;base64,aGk="}]}');
-- 8 add_message's content with a file part and no text part: the content first
SELECT add_message(1, 'user', 'See the photo.', '{"parts": [
  {"type": "file", "mediaType": "image/png", "url": "https://x.example/d.png"}]}');
-- 9 a message stored with plain content and no parts: unchanged
SELECT add_message(1, 'user', 'Plain text.');
SELECT seq, role, content, tokens FROM chat_messages WHERE conversation_id = 1 ORDER BY seq;
SELECT key + 1, value FROM json_each(chat_history_json(1));
SELECT 'openai export = history', export_conversation(1, 'openai') = chat_history_json(1);

-- file parts that are not sent: a scheme OpenAI does not fetch, a data URL
-- that is not base64, a data URL of another type, a PDF data URL of
-- another type, audio, an empty url; then (raw SQL: the functions refuse
-- them, as the AI SDK's validateUIMessages does) a url or a mediaType that
-- is not a string, or missing; then media types and schemes compared
-- case-insensitively, and the top-level type "image" alone (AI SDK 7)
SELECT create_conversation('acme');
SELECT add_message(2, 'user', '', '{"parts": [{"type": "text", "text": "Not sent:"},
  {"type": "file", "mediaType": "image/png", "url": "s3://bucket/e.png"},
  {"type": "file", "mediaType": "image/png", "url": "/uploads/e.png"},
  {"type": "file", "mediaType": "image/svg+xml", "url": "data:image/svg+xml,<svg/>"},
  {"type": "file", "mediaType": "image/png", "url": "data:text/plain;base64,aGk="},
  {"type": "file", "mediaType": "application/pdf", "url": "data:image/png;base64,iVBO"},
  {"type": "file", "mediaType": "audio/wav", "url": "data:audio/wav;base64,UklGRg=="},
  {"type": "file", "mediaType": "image/png", "url": ""}]}');
INSERT INTO chat_messages (conversation_id, role, content, parts) VALUES (2, 'user', '', json('[
  {"type": "text", "text": "Not sent either:"},
  {"type": "file", "mediaType": "image/png", "url": 42},
  {"type": "file", "mediaType": "image/png", "url": null},
  {"type": "file", "mediaType": "image/png"},
  {"type": "file", "mediaType": ["image/png"], "url": "https://x.example/e.png"},
  {"type": "file", "url": "https://x.example/e.png"},
  {"type": "file"}]'));
SELECT add_message(2, 'user', '', '{"parts": [
  {"type": "file", "mediaType": "IMAGE/PNG", "url": "HTTPS://x.example/F.png"},
  {"type": "file", "mediaType": "image", "url": "Data:Image/PNG;Base64,iVBO"},
  {"type": "file", "mediaType": "image/*", "url": "http://x.example/g"},
  {"type": "file", "mediaType": "Application/PDF", "filename": "", "url": "DATA:application/pdf;name=h.pdf;BASE64,JVBE"}]}');
SELECT key + 1, value FROM json_each(chat_history_json(2));
.bail off
SELECT add_ui_message(2, '{"id": "u-bad", "role": "user", "parts": [{"type": "file", "mediaType": "image/png"}]}'); -- error

-- the window: a message counts its stored tokens (the estimate: its
-- content, or its parts JSON when the content is empty), whatever its
-- files; message 5 (an image alone: 80 characters of parts, 20 tokens) is
-- in with 38 and out with 37
SELECT group_concat(seq || ':' || tokens, ' ') FROM chat_history(1, 38);
SELECT group_concat(seq || ':' || tokens, ' ') FROM chat_history(1, 37);
