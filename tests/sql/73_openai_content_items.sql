-- A user message whose parts are OpenAI's own content items (an
-- application that keeps Chat Completions messages stores their content
-- array as parts): image_url and input_audio items are replayed as content
-- items in part order, with their known members alone; an image whose url
-- OpenAI would refuse (not http(s), not a base64 image data URL) or an
-- item of the wrong shape is left out, as a file part of the same kind
-- is.  Where no item is sent, the content is the text, as before.
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Pictures');
SELECT add_message(1, 'user', '', '{"parts": [
  {"type": "text", "text": "What is in this image?"},
  {"type": "image_url", "image_url": {"url": "https://example.com/tray.jpg", "detail": "low", "x": 1}},
  {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
  {"type": "image_url", "image_url": {"url": "s3://bucket/a.png"}},
  {"type": "image_url", "image_url": "https://example.com/b.png"},
  {"type": "input_audio", "input_audio": {"data": "UklGRg=="}}]}');
SELECT chat_history_json(1);
-- an image item and add_message's content: the content first, as with a file part
SELECT add_message(1, 'user', 'Only a picture', '{"parts": [
  {"type": "image_url", "image_url": {"url": "DATA:image/png;base64,iVBORw0KGgo="}}]}');
-- none sent: the message is its text
SELECT add_message(1, 'user', 'Not a link OpenAI reads', '{"parts": [
  {"type": "image_url", "image_url": {"url": "ftp://example.com/c.png"}}]}');
SELECT add_message(1, 'assistant', 'A tray of croissants.', '{"parts": [
  {"type": "image_url", "image_url": {"url": "https://example.com/d.png"}}]}');
SELECT seq, role, quote(content) FROM chat_messages ORDER BY seq;
SELECT chat_history_json(1);
SELECT export_conversation(1, 'openai') = chat_history_json(1);
-- OpenAI's developer role is not a fifth role: the error says where it goes
SELECT add_message(1, 'developer', 'Answer in one sentence.'); -- error
SELECT add_message(1, 'bot''s', 'x'); -- error
SELECT count(*) FROM chat_messages;
