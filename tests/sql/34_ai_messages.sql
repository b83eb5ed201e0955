-- 34_ai_messages: messages from AI applications.  AI SDK UIMessages in
-- and out (add_ui_message, chat_ui_messages) with every part type, the
-- uid as the retry key, OpenAI tool_calls and tool_call_id stored as
-- chatflow's tool-call parts, and the replay: chat_history_json valid for
-- an OpenAI-compatible server, the window keeping a call and its results
-- together at every budget.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme');

-- ------------------------------------------------------------ UIMessages
CREATE TEMP TABLE ui (n INTEGER PRIMARY KEY, m TEXT);
INSERT INTO ui VALUES
 (1, '{"id":"u1","role":"user","parts":[{"type":"text","text":"Weather in Paris?"},{"type":"file","mediaType":"image/png","url":"data:image/png;base64,AAA=","filename":"a.png"}],"metadata":{"client":"web"}}'),
 (2, '{"id":"a1","role":"assistant","parts":[{"type":"step-start"},{"type":"reasoning","text":"call it"},{"type":"tool-getWeather","toolCallId":"w1","state":"output-available","input":{"city":"Paris"},"output":{"temp":21.5}},{"type":"dynamic-tool","toolName":"clock","toolCallId":"c1","state":"output-error","input":{},"errorText":"down"},{"type":"step-start"},{"type":"source-url","sourceId":"s1","url":"https://x.example"},{"type":"source-document","sourceId":"s2","mediaType":"text/plain","title":"T"},{"type":"data-weather","id":"d1","data":{"t":21.5}},{"type":"text","text":"21.5 C.","state":"done"},{"type":"tool-book","toolCallId":"b1","state":"approval-requested","input":{},"approval":{"id":"ap1"}},{"type":"tool-pay","toolCallId":"p1","state":"approval-responded","input":{},"approval":{"id":"ap2","approved":true}},{"type":"tool-find","toolCallId":"f1","state":"input-streaming"},{"type":"a-newer-kind","x":[1,2.50,null]}],"metadata":{"totalUsage":{"inputTokens":40,"outputTokens":12,"totalTokens":52}}}'),
 (3, '{"id":"s1","role":"system","parts":[{"type":"text","text":"Be brief."}]}');
SELECT add_ui_message(1, m) FROM ui ORDER BY n;
-- back as sent (members in the order chat_ui_messages writes them), in seq order
SELECT 'round trip', json(chat_ui_messages(1)) = json('[' || (SELECT group_concat(m, ',') FROM ui ORDER BY n) || ']');
SELECT seq, role, content, tokens, uid FROM chat_messages ORDER BY seq;
-- the same UIMessage again: its id, nothing written
SELECT add_ui_message(1, m) FROM ui WHERE n = 2;
SELECT 'count', message_count FROM chat_conversations WHERE id = 1;
SELECT add_ui_message(1, '{"id":"a1","role":"assistant","parts":[{"type":"text","text":"changed"}]}'); -- error
SELECT add_ui_message(1, '{"role":"user","parts":[{"type":"text","text":"x"}]}'); -- error
SELECT add_ui_message(1, '{"id":"x","role":"tool","parts":[{"type":"text","text":"x"}]}'); -- error
SELECT add_ui_message(1, '{"id":"x","role":"user","parts":"x"}'); -- error
SELECT add_ui_message(1, '{"id":"x","role":"assistant","parts":[{"type":"tool-x","state":"output-available"}]}'); -- error
SELECT add_ui_message(1, '{"id":"x","role":"assistant","parts":[{"type":"tool-x","toolCallId":"t","state":"done"}]}'); -- error
SELECT add_ui_message(1, json_object('id', printf('%.129c', 'i'), 'role', 'user', 'parts', json('[{"type":"text","text":"x"}]'))); -- error
SELECT 'count', message_count FROM chat_conversations WHERE id = 1;
-- the replay of UI tool parts: one assistant message per step, results after their calls
SELECT chat_history_json(1);

-- ------------------------------------------------------ OpenAI tool calls
SELECT create_conversation('acme');
SELECT add_message(2, 'system', 'Be brief.', '{"tokens": 3}');
SELECT add_message(2, 'user', 'Weather and time?', '{"tokens": 9}');
SELECT add_message(2, 'assistant', '', '{"tokens": 20, "uid": "call-msg", "tool_calls": [
  {"id": "call_a", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}},
  {"id": "call_b", "type": "function", "function": {"name": "time", "arguments": {}}}]}');
SELECT add_message(2, 'tool', '12:00', '{"tokens": 8, "tool_call_id": "call_b"}');
SELECT add_message(2, 'tool', '21 C', '{"tokens": 6, "metadata": {"tool_call_id": "call_a"}}');
SELECT add_message(2, 'assistant', '21 C at noon.', '{"tokens": 5}');
SELECT add_message(2, 'user', 'Thanks', '{"tokens": 4}');
SELECT seq, parts, metadata FROM chat_messages WHERE conversation_id = 2 AND seq IN (3, 4, 5) ORDER BY seq;
SELECT add_message(2, 'tool', 'x', '{"tool_call_id": "call_z"}'); -- error
SELECT add_message(2, 'user', 'x', '{"tool_calls": []}'); -- error
SELECT add_message(2, 'assistant', '', '{"tool_calls": [{"id": "c", "function": {}}]}'); -- error
SELECT add_message(2, 'assistant', 'x', '{"parts": [{"type": "tool-call", "id": "c"}]}'); -- error
-- the retry of add_message
SELECT add_message(2, 'assistant', '', '{"uid": "call-msg", "tool_calls": [
  {"id": "call_a", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Paris\"}"}},
  {"id": "call_b", "type": "function", "function": {"name": "time", "arguments": {}}}]}');
SELECT add_message(2, 'assistant', 'other', '{"uid": "call-msg"}'); -- error
SELECT 'count', message_count FROM chat_conversations WHERE id = 2;
SELECT chat_history_json(2);
SELECT 'openai export = history', export_conversation(2, 'openai') = chat_history_json(2);

-- the window at every budget: seqs, and the calls and results it sends
WITH RECURSIVE b(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM b WHERE n < 56)
SELECT n, (SELECT group_concat(seq, ',') FROM chat_history(2, b.n)),
       (SELECT group_concat(coalesce(json_extract(value, '$.tool_call_id'), ''), ',')
          FROM json_each(chat_history_json(2, b.n)) WHERE json_extract(value, '$.role') = 'tool'),
       (SELECT group_concat(json_extract(c.value, '$.id'), ',')
          FROM json_each(chat_history_json(2, b.n)) AS m, json_each(m.value, '$.tool_calls') AS c)
  FROM b;

-- raw SQL: a taken uid, an uid update
INSERT INTO chat_messages (conversation_id, role, content, uid) VALUES (2, 'user', 'y', 'call-msg'); -- error
UPDATE chat_messages SET uid = 'z' WHERE conversation_id = 2 AND seq = 1; -- error
INSERT INTO chat_messages (conversation_id, role, content, uid) VALUES (2, 'user', 'y', ''); -- error

-- an AI SDK steering-message part (a user message sent while the answer
-- was generated): it ends its step and follows it (after the step's tool
-- results) as a user message, the text of its text parts — or, with an
-- image, its text and images as content items — as the AI SDK's
-- convertToModelMessages sends it; without text or image it sends nothing
SELECT create_conversation('steer');
SELECT add_ui_message(3, '{"id": "su1", "role": "user", "parts": [{"type": "text", "text": "Weather in Paris?"}]}');
SELECT add_ui_message(3, '{"id": "sa1", "role": "assistant", "parts": [{"type": "step-start"},
  {"type": "tool-getWeather", "toolCallId": "w9", "state": "output-available", "input": {"city": "Paris"}, "output": {"t": 21}},
  {"type": "steering-message", "id": "st1", "parts": [{"type": "text", "text": "In Fahrenheit,"}, {"type": "file", "mediaType": "image/png", "url": "https://x.example/a.png"}, {"type": "text", "text": "please."}]},
  {"type": "step-start"}, {"type": "text", "text": "It is 70 F."},
  {"type": "steering-message", "id": "st2", "parts": [{"type": "file", "mediaType": "image/png", "url": "https://x.example/b.png"}]},
  {"type": "steering-message", "id": "st4", "parts": [{"type": "file", "mediaType": "text/plain", "url": "https://x.example/c.txt"}]},
  {"type": "steering-message", "id": "st3", "parts": [{"type": "text", "text": "Thanks!"}]}]}');
SELECT chat_history_json(3);
