#!/usr/bin/python3
"""A loopback OpenAI-compatible chat-completions server for chatflow's tests.

Standard library only (Debian's /usr/bin/python3: http.server,
ThreadingHTTPServer).  It listens on 127.0.0.1, port 0 by default (the
kernel picks a free port), and speaks the chat-completions wire format:

    POST /v1/chat/completions   JSON in, JSON out:
        {"id": "chatcmpl-fake-N", "object": "chat.completion", "created": 1767225600,
         "model": <the requested model>,
         "choices": [{"index": 0, "message": {"role": "assistant", "content": ...},
                      "logprobs": null, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": P, "completion_tokens": C, "total_tokens": P + C}}
    errors: {"error": {"message": ..., "type": ..., "param": null, "code": ...}}
    GET /_requests              the recorded requests (JSON array)
    POST /_reset                forgets them

The requested model name chooses the mode of that request:

    anything else        a normal reply: content "echo: <last message content>" (a
                         content array: its text items, one per line),
                         usage prompt 11, completion 7, total 18, finish_reason "stop"
    mode-slow[:MS]       the normal reply after MS milliseconds (default 3000)
    mode-redirect[:URL]  HTTP 307 to URL (default /redirected/chat/completions, which always
                         answers normally, whatever the model)
    mode-redirect-CODE[:URL]
                         the same with status CODE (301, 302, 303, 307, 308); URL may name
                         another FakeOpenAI (another origin: another port), whose
                         `connections` and `requests` then show whether anything reached it
    mode-echo-auth       HTTP 400 whose error message quotes the Authorization header
                         (a careless proxy), to check that the key never reaches an error
    mode-echo-auth:plain HTTP 401, text/plain "Invalid credentials: " and the header: the
                         body ends with the key
    mode-big-error[:N]   HTTP 429, an OpenAI error body of 20 KB ("Rate limit reached for
                         <model>. xxx..."); with :N, the Authorization header echoed after
                         it, padded with spaces so that the key starts at byte N
    mode-retry-after[-CODE][:VALUE]
                         HTTP CODE (default 429) with an OpenAI error body ("Rate limit
                         reached for requests"; 503: "The engine is currently overloaded,
                         please try again later") and the header "Retry-After: VALUE"
                         (default 20); streamed or not
    mode-header-lines:LINES
                         the same 429 with the header lines LINES (separated by "\n") sent
                         as they are, instead of that header: other cases and spacing,
                         several Retry-After headers, junk, OpenAI's retry-after-ms
    mode-refusal         HTTP 200, content null and OpenAI's "refusal" (streamed: in
                         delta.refusal pieces)
    mode-200-error       HTTP 200, an empty choice with finish_reason "error" and an
                         "error" member whose message quotes the Authorization header
    mode-vllm-404        HTTP 404 with vLLM's error body: {"object": "error", "message": ...}
    mode-detail-422      HTTP 422 with a FastAPI error body: {"detail": ...}
    mode-500             HTTP 500 with an error body (type "server_error")
    mode-slow-500[:MS]   the same after MS milliseconds (default 3000)
    mode-401             HTTP 401 with an error body ("Incorrect API key provided")
    mode-404             HTTP 404 with an error body (model_not_found)
    mode-html            HTTP 502 with an HTML (not JSON) body
    mode-bad-bytes[:KIND] an error whose text holds bytes that are not UTF-8: KIND json
                         (the default): HTTP 500, error.message "bad " FF FE " bytes"
                         then a \u0000 escape and " after"; plain: HTTP 502, the body
                         "upstream " FF FE NUL " tail " ESC "[31mred" DEL CR LF;
                         long: HTTP 500,
                         error.message "x" then 200 times U+00E9 (401 bytes);
                         object: HTTP 500, error.message an object holding FF and
                         a '/'; empty: HTTP 500, error.message ""
    mode-malformed       HTTP 200 with a truncated JSON body
    mode-trailing[:space] HTTP 200, the normal completion followed by a second JSON
                         object (with :space, by white space only)
    mode-huge[:BYTES]    HTTP 200, a valid reply whose content is BYTES long
                         (default 2 MiB), sent in chunks (streamed: in events
                         of 1000 characters)
    mode-drop            reads the request, closes the connection without a response
    mode-nochoices       HTTP 200, "choices": []
    mode-nocontent       HTTP 200, a message with "content": "" and nothing else
    mode-tools           HTTP 200, content null and two tool_calls, finish_reason "tool_calls"
    mode-reasoning[:FIELD] HTTP 200, reasoning_content and content; with :reasoning the
                         thinking in "reasoning" instead (Ollama, OpenRouter, vLLM from
                         0.10), with :both in both fields
    mode-length          HTTP 200, finish_reason "length", no usage member
    mode-title           HTTP 200, content '  "Bakery topical map"\\n' (for generate_title)
    mode-long-title      HTTP 200, content '  "ab\\n' + 'ab ' * 65 + a family emoji (seven
                         code points) + ' tail"': its 200th character is inside the emoji
    mode-space-title     HTTP 200, content U+3000 '"Bakery' U+00A0 U+00A0 'map"' U+3000 '\\n'
    mode-nul             HTTP 200, content "hello\\u0000secret" (a NUL escape)
    mode-surrogate       HTTP 200, content "a\\ud800b" (a lone surrogate escape)

Streaming (a request with "stream": true): the reply of the normal, scripted,
mode-tools, mode-reasoning, mode-length and mode-huge modes is sent as server-sent
events in OpenAI's chat-completions stream format, chunked: a first chunk
with delta {"role": "assistant"}, reasoning_content and content in pieces of
STREAM_PIECE characters (one event each), each tool call in pieces (index,
id, name, then its arguments in two), a last chunk with the finish_reason,
a usage chunk ("choices": [], when stream_options.include_usage), then
"data: [DONE]".  Modes of their own:
    mode-stream-slow[:MS]      the normal stream, MS milliseconds (default 200)
                               before every event
    mode-stream-drop[:N]       N content events (default 2), then the connection
                               is closed in the middle of the chunked body
    mode-stream-error[:N]      N content events, then data: {"error": {...}}
    mode-stream-nodone         the normal stream without [DONE] nor finish_reason,
                               the body ended properly
    mode-stream-drop-end       the normal stream up to its finish_reason and usage,
                               then the connection is closed in the middle of the
                               chunked body, before [DONE]
    mode-stream-sse            the normal stream framed every other way the
                               text/event-stream format allows: each event's
                               JSON indented over several "data:" lines, lines
                               ended by LF, CRLF and CR in turn, comments, event:,
                               id: and retry: fields, "data:" without the space,
                               the body written 7 bytes at a time (so CRLFs and
                               lines are cut between writes), [DONE] without the
                               blank line after it
    mode-stream-nulls          the normal stream, every chunk with "usage": null
                               (as OpenAI sends it with include_usage) and
                               "error": null
    mode-stream-bom            the normal stream after a UTF-8 BOM (EF BB BF),
                               the BOM cut between two writes, and an empty
                               "data:" event (a keep-alive) before every event
    mode-stream-index:JSON     a tool call whose delta has "index": JSON (1.5,
                               "1", ...), then the finish_reason and [DONE]
    mode-stream-index0         mode-tools' two calls with "index": 0 in every
                               delta, each call's first delta with its own id
                               (as Ollama, LiteLLM and Gemini gateways stream
                               a parallel batch)
    mode-stream-object-args    mode-tools' two calls, each in one delta whose
                               function.arguments is a JSON object, not its text
    mode-stream-reversed       mode-tools' two calls streamed index 1 first,
                               then index 0 (each with its own deltas)
    mode-stream-many:N         N calls get_time, ids call_1 .. call_N, all with
                               "index": 0
    mode-no-stream             the normal reply as one JSON body
                               (application/json), stream asked for or not

Scripted replies: srv.script(message, ...) queues the `message` of the
next replies to requests in the normal mode (one each, in order; the plain
echo when the queue is empty), with finish_reason "tool_calls" when the
message has tool_calls and "stop" otherwise, usage as above (or, when the
message has a key "_usage", that value as the usage object, the key
removed; streamed too).  A message is
sent as given, so a test can script a malformed one; tool_call(id, name,
arguments) builds one OpenAI tool call:

    srv.script({"role": "assistant", "content": None,
                "tool_calls": [tool_call("call_1", "get_weather", '{"city": "Paris"}')]},
               {"role": "assistant", "content": "21 degrees."})

Validation: before any mode, every request's messages are checked the way
OpenAI checks their content and tool calling (check_messages), and a
request that breaks a rule is answered HTTP 400 with an OpenAI error body
(type "invalid_request_error", param, code), in every mode:
  - a message's content is a string or a non-empty array of content items,
    each an object with a "type" its role takes: "text" for system,
    developer and tool messages; "text" and "refusal" for assistant
    messages (whose content may also be null or absent); "text",
    "image_url", "input_audio" and "file" for user messages (check_content);
    a text item has a string text; an image_url item an object image_url
    whose url is http(s) or a base64 data URL of an image (and detail, when
    given, auto, low or high); a file item an object file with file_data (a
    base64 PDF data URL, with a string filename) or file_id;
  - an assistant message's tool_calls is a non-empty array whose items have
    a string id, type "function", and a function with a string name and a
    string arguments;
  - such a message is followed by one tool message per call (in any order)
    before any other message (and before the end of the array);
  - a tool message has a string tool_call_id that answers a call of the
    nearest assistant message before it, with only tool messages between
    them, and no call is answered twice.

Structured outputs: a request's response_format is checked as OpenAI checks
it (check_response_format: an object whose type is "text", "json_object" or
"json_schema"; json_schema's json_schema an object with a name of 1 to 64
of a-z A-Z 0-9 _ - and, when present, a schema object; json_object only
when a message's content has the word "json"), HTTP 400 otherwise, in every
mode.  The normal reply (streamed or not, not scripted) then answers in
JSON: for "json_object" {"echo": <last message content>}, for
"json_schema" an instance of the schema (instance_of: each property of an
object, one item of an array, an enum's or const's first value, a string
the last message's content, an integer 7, a number 0.5, a boolean true),
both as json.dumps writes them.

Every request (method, path, headers, raw body) is recorded before the mode
runs, so a test can assert exactly what was sent even when the reply fails;
requests with other methods (GET, PUT, ...: what a client that followed a
redirect by changing the method would send) are recorded too.  Every
accepted TCP connection is counted (`connections`), whether or not a
request followed on it.

In a test:   srv = FakeOpenAI(); srv.start(); ... srv.base_url ...; srv.stop()
With TLS:    FakeOpenAI(tls=(certfile, keyfile)) serves https://127.0.0.1:PORT/v1
By hand:     /usr/bin/python3 tests/provider/fake_openai.py [PORT]
             (prints "listening on http://127.0.0.1:PORT/v1", runs until ^C)
"""
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATED = 1767225600  # 2026-01-01T00:00:00Z
REFUSAL = "I'm sorry, I can't help with that."


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-openai/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    # -- helpers --------------------------------------------------------
    def _send(self, status, body, ctype="application/json", lines=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode("utf-8")
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        for line in lines:  # header lines sent as they are (send_header would write "Name: value")
            self._headers_buffer.append(line.encode("latin-1") + b"\r\n")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            pass  # the client went away (interrupt, timeout, size cap)

    def _error(self, status, message, etype, code, param=None):
        self._send(status, {"error": {"message": message, "type": etype,
                                      "param": param, "code": code}})

    def _completion(self, model, message, finish="stop", usage=True, n=0):
        if "_usage" in message:
            message = dict(message)
            usage = message.pop("_usage")
        body = {"id": "chatcmpl-fake-%d" % n, "object": "chat.completion",
                "created": CREATED, "model": model,
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": finish}]}
        if usage is True:
            body["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
        elif usage is not False:
            body["usage"] = usage
        return body

    # -- routes ---------------------------------------------------------
    def _record(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n > 0 else b""
        rec = {"method": self.command, "path": self.path,
               "headers": [[k, v] for k, v in self.headers.items()],
               "body": raw.decode("utf-8", "replace")}
        with self.server.lock:
            self.server.requests.append(rec)
            return raw, len(self.server.requests)

    def do_GET(self):
        if self.path == "/_requests":
            with self.server.lock:
                self._send(200, list(self.server.requests))
        else:
            self._record()
            self._error(404, "Unknown path %s" % self.path, "invalid_request_error", None)

    def _other(self):
        self._record()
        self._error(405, "Method %s not allowed" % self.command, "invalid_request_error", None)

    do_PUT = do_DELETE = do_PATCH = do_HEAD = _other

    def do_POST(self):
        if self.path == "/_reset":
            n = int(self.headers.get("Content-Length") or 0)
            if n > 0:
                self.rfile.read(n)
            with self.server.lock:
                del self.server.requests[:]
                self.server.connections = 0
            self._send(200, {"ok": True})
            return
        raw, num = self._record()
        route = self.path.split("?", 1)[0]  # a query (Azure's api-version) is recorded, not routed
        plain = route == "/redirected/chat/completions"  # a redirect's target: no modes
        if route != "/v1/chat/completions" and not plain:
            self._error(404, "Unknown request URL: POST %s" % self.path,
                        "invalid_request_error", "unknown_url")
            return
        try:
            req = json.loads(raw)
            model = req["model"]
            messages = req["messages"]
        except (ValueError, KeyError, TypeError):
            self._error(400, "We could not parse the JSON body of your request.",
                        "invalid_request_error", None)
            return
        bad = check_messages(messages) or check_response_format(req)
        if bad is not None:
            message, param, code = bad
            self._error(400, message, "invalid_request_error", code, param)
            return
        mode, _, arg = str(model).partition(":")
        if plain:
            mode = ""
        last = text_of(messages[-1].get("content", "")) if messages else ""
        if req.get("stream") is True and self._streamed(req, model, mode, arg, last, num):
            return
        if mode == "mode-slow":
            # interruptible, so stop() does not wait for it
            self.server.stopping.wait((int(arg) if arg else 3000) / 1000.0)
            if self.server.stopping.is_set():
                return
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": "slow: %s" % last}, n=num))
        elif mode == "mode-no-stream":
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": "echo: %s" % last}, n=num))
        elif mode == "mode-redirect" or mode.startswith("mode-redirect-"):
            code = int(mode[len("mode-redirect-"):]) if mode != "mode-redirect" else 307
            self.send_response(code)
            self.send_header("Location", arg or "/redirected/chat/completions")
            self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
        elif mode == "mode-big-error":
            head = '{"error": {"message": "Rate limit reached for %s.' % model
            if arg:  # the Authorization header echoed, the key starting at byte ARG
                head += " " * (int(arg) - len(head) - len("Authorization=Bearer ")) + \
                    "Authorization=%s" % self.headers.get("Authorization")
            self._send(429, head + " " + "x" * 20000 + '", "type": "requests"}}')
        elif mode == "mode-retry-after" or mode.startswith("mode-retry-after-") or mode == "mode-header-lines":
            code = int(mode[len("mode-retry-after-"):]) if mode.startswith("mode-retry-after-") else 429
            if mode == "mode-header-lines":
                lines = arg.split("\n")
            else:
                lines = ["Retry-After: %s" % (arg or "20")]
            if code == 503:
                error = {"message": "The engine is currently overloaded, please try again later",
                         "type": "server_error", "param": None, "code": None}
            else:
                error = {"message": "Rate limit reached for requests", "type": "requests",
                         "param": None, "code": "rate_limit_exceeded"}
            self._send(code, {"error": error}, lines=lines)
        elif mode == "mode-refusal":
            self._send(200, self._completion(model, {"role": "assistant", "content": None,
                                                     "refusal": REFUSAL}, n=num))
        elif mode == "mode-200-error":
            # a gateway that reports a failure with status 200 (OpenRouter's
            # mid-generation errors), its choice empty, and echoes the key
            self._send(200, {"id": "gen-1", "choices": [{"index": 0, "message": {"role": "assistant",
                                                                                  "content": ""},
                                                          "finish_reason": "error"}],
                             "error": {"message": "Provider disconnected (Authorization=%s)"
                                       % self.headers.get("Authorization"), "code": 502}})
        elif mode == "mode-echo-auth" and arg == "plain":
            self._send(401, "Invalid credentials: %s" % self.headers.get("Authorization"),
                       "text/plain")
        elif mode == "mode-echo-auth":
            self._error(400, "Bad header: Authorization=%s" % self.headers.get("Authorization"),
                        "invalid_request_error", None)
        elif mode == "mode-vllm-404":
            self._send(404, {"object": "error", "message": "The model `%s` does not exist." % model,
                             "type": "NotFoundError", "param": None, "code": 404})
        elif mode == "mode-detail-422":
            self._send(422, {"detail": "messages: field required"})
        elif mode == "mode-500" or mode == "mode-slow-500":
            if mode == "mode-slow-500":
                self.server.stopping.wait((int(arg) if arg else 3000) / 1000.0)
                if self.server.stopping.is_set():
                    return
            self._error(500, "The server had an error while processing your request.",
                        "server_error", None)
        elif mode == "mode-401":
            self._error(401, "Incorrect API key provided: sk-te*****. You can find your API key"
                             " at https://platform.openai.com/account/api-keys.",
                        "invalid_request_error", "invalid_api_key")
        elif mode == "mode-404":
            self._error(404, "The model `%s` does not exist" % model,
                        "invalid_request_error", "model_not_found")
        elif mode == "mode-bad-bytes":
            if arg == "plain":
                self._send(502, b"upstream \xff\xfe\x00 tail \x1b[31mred\x7f\r\n", "text/plain")
            elif arg == "long":
                self._error(500, "x" + "\u00e9" * 200, "server_error", None)
            elif arg == "object":
                self._send(500, b'{"error": {"message": {"detail": "bad \xff / bytes"}}}')
            elif arg == "empty":
                self._send(500, b'{"error": {"message": ""}}')
            else:
                self._send(500, b'{"error": {"message": "bad \xff\xfe bytes\\u0000 after",'
                                b' "type": "server_error"}}')
        elif mode == "mode-html":
            self._send(502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
                            "<body>bad gateway</body>\r\n</html>\r\n", "text/html")
        elif mode == "mode-malformed":
            self._send(200, '{"id": "chatcmpl-fake", "object": "chat.completion", "choices": [{"index"')
        elif mode == "mode-trailing":
            # a whole completion, then more: white space is fine, anything else is not JSON
            body = json.dumps(self._completion(model, {"role": "assistant", "content": "echo: %s" % last},
                                               n=num))
            self._send(200, body + ("\r\n \n" if arg == "space" else "\n{\"extra\": 1}"))
        elif mode == "mode-huge":
            size = int(arg) if arg else 2 << 20
            body = json.dumps(self._completion(model, {"role": "assistant", "content": "x" * size},
                                               n=num)).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                for i in range(0, len(body), 65536):
                    self.wfile.write(body[i:i + 65536])
            except OSError:
                pass
        elif mode == "mode-drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        elif mode == "mode-nochoices":
            body = self._completion(model, {"role": "assistant", "content": "x"}, n=num)
            body["choices"] = []
            self._send(200, body)
        elif mode == "mode-nocontent":
            self._send(200, self._completion(model, {"role": "assistant", "content": ""}, n=num))
        elif mode == "mode-tools":
            self._send(200, self._completion(model, {
                "role": "assistant", "content": None,
                "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}},
                    {"id": "call_2", "type": "function",
                     "function": {"name": "get_time", "arguments": "{}"}}]},
                finish="tool_calls", n=num))
        elif mode == "mode-reasoning":
            message = {"role": "assistant", "content": "Croissants."}
            for field in _reasoning_fields(arg):
                message[field] = "The user runs a bakery."
            self._send(200, self._completion(model, message, n=num))
        elif mode == "mode-length":
            self._send(200, self._completion(model, {"role": "assistant", "content": "cut sh"},
                                             finish="length", usage=False, n=num))
        elif mode == "mode-nul":
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": "hello\u0000secret"}, n=num))
        elif mode == "mode-surrogate":
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": "a\ud800b"}, n=num))
        elif mode == "mode-title":
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": '  "Bakery topical map"\n'}, n=num))
        elif mode == "mode-space-title":
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": '\u3000"Bakery\u00a0\u00a0map"\u3000\n'},
                                             n=num))
        elif mode == "mode-long-title":
            family = "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": '  "ab\n' + "ab " * 65 + family + ' tail"'},
                                             n=num))
        else:
            with self.server.lock:
                scripted = self.server.script.pop(0) if self.server.script else None
            if scripted is not None:
                self._send(200, self._completion(
                    model, scripted, finish="tool_calls" if scripted.get("tool_calls") else "stop",
                    n=num))
                return
            self._send(200, self._completion(model, {"role": "assistant",
                                                     "content": reply_content(req, last)}, n=num))


STREAM_PIECE = 4  # characters of content per event


def _pieces(text, n=STREAM_PIECE):
    return [text[i:i + n] for i in range(0, len(text), n)] or []


def _stream_handler_methods():
    """Methods added to _Handler: the streamed replies."""

    def _chunk_write(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _event(self, payload):
        if getattr(self, "sse_framing", False):
            self._event_framed(payload)
            return
        text = payload if isinstance(payload, str) else json.dumps(payload)
        if getattr(self, "sse_bom", False):
            if not getattr(self, "sse_bom_sent", False):
                self.sse_bom_sent = True
                self._chunk_write(b"\xef")
                self._chunk_write(b"\xbb\xbf")
            self._chunk_write("data:\n\n")
        self._chunk_write("data: %s\n\n" % text)

    def _event_framed(self, payload):
        """mode-stream-sse: one event, its JSON over several data lines."""
        n = self.sse_count = getattr(self, "sse_count", 0) + 1
        ends = ("\n", "\r\n", "\r")
        text = payload if isinstance(payload, str) else json.dumps(payload, indent=1)
        out = [": keep-alive", "event: message", "id: %d" % n]
        if n == 1:
            out.append("retry: 3000")
        for i, line in enumerate(text.split("\n")):
            out.append(("data:%s" if i % 2 else "data: %s") % line)
        eol = ends[n % 3]
        data = eol.join(out) + eol
        if payload != "[DONE]":
            data += eol  # the blank line that dispatches the event
        data = data.encode("utf-8")
        for i in range(0, len(data), 7):
            self._chunk_write(data[i:i + 7])

    def _streamed(self, req, model, mode, arg, last, num):
        """Sends a streamed reply when the mode has one; False otherwise."""
        finish, usage, size = "stop", True, STREAM_PIECE
        delay, drop_after, error_after, done = 0.0, None, None, True
        if mode == "mode-no-stream":
            return False
        if mode == "mode-stream-sse":
            self.sse_framing = True
            message = {"role": "assistant", "content": "echo: %s" % last}
        elif mode == "mode-stream-nulls":
            self.sse_nulls = True
            message = {"role": "assistant", "content": "echo: %s" % last}
        elif mode == "mode-stream-bom":
            self.sse_bom = True
            message = {"role": "assistant", "content": "echo: %s" % last}
        elif mode == "mode-stream-index":
            message = {"role": "assistant", "content": None,
                       "tool_calls": [tool_call("call_1", "get_time", "{}")]}
            finish, self.sse_index = "tool_calls", json.loads(arg)
        elif mode in ("mode-stream-index0", "mode-stream-object-args", "mode-stream-reversed"):
            # the two calls of mode-tools, streamed all at index 0, with
            # their arguments as a JSON object, or in reverse order
            message, finish = two_calls(), "tool_calls"
            setattr(self, {"mode-stream-index0": "sse_index0", "mode-stream-object-args": "sse_object_args",
                           "mode-stream-reversed": "sse_reverse"}[mode], True)
        elif mode == "mode-stream-many":
            message = {"role": "assistant", "content": None, "tool_calls": [
                tool_call("call_%d" % (k + 1), "get_time", "{}") for k in range(int(arg))]}
            finish, self.sse_index0 = "tool_calls", True
        elif mode in ("mode-stream-slow", "mode-stream-drop", "mode-stream-error", "mode-stream-nodone",
                      "mode-stream-drop-end"):
            message = {"role": "assistant", "content": "echo: %s" % last}
            if mode == "mode-stream-drop-end":
                self.sse_drop_end = True
            elif mode == "mode-stream-slow":
                delay = (int(arg) if arg else 200) / 1000.0
            elif mode == "mode-stream-drop":
                drop_after = int(arg) if arg else 2
            elif mode == "mode-stream-error":
                error_after = int(arg) if arg else 2
            else:
                done = False
        elif mode == "mode-tools":
            message, finish = two_calls(), "tool_calls"
        elif mode == "mode-reasoning":
            message = {"role": "assistant", "content": "Croissants.",
                       "reasoning_content": "The user runs a bakery."}
            self.sse_reasoning = _reasoning_fields(arg)
        elif mode == "mode-refusal":
            message = {"role": "assistant", "content": None, "refusal": REFUSAL}
        elif mode == "mode-length":
            message = {"role": "assistant", "content": "cut sh"}
            finish, usage = "length", False
        elif mode == "mode-huge":
            message = {"role": "assistant", "content": "x" * (int(arg) if arg else 2 << 20)}
            size = 1000
        elif mode.startswith("mode-"):
            return False
        else:
            with self.server.lock:
                scripted = self.server.script.pop(0) if self.server.script else None
            message = scripted or {"role": "assistant", "content": reply_content(req, last)}
            if "_usage" in message:
                message = dict(message)
                usage = message.pop("_usage")
            if message.get("tool_calls"):
                finish = "tool_calls"
        include_usage = usage is not False and (req.get("stream_options") or {}).get("include_usage") is True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        base = {"id": "chatcmpl-fake-%d" % num, "object": "chat.completion.chunk",
                "created": CREATED, "model": model}
        if getattr(self, "sse_nulls", False):
            base.update(usage=None, error=None)

        def chunk(delta, fin=None):
            return dict(base, choices=[{"index": 0, "delta": delta, "logprobs": None,
                                        "finish_reason": fin}])

        try:
            events = [chunk({"role": "assistant", "content": ""})]
            for piece in _pieces(message.get("reasoning_content") or ""):
                events.append(chunk({field: piece for field in
                                     getattr(self, "sse_reasoning", ["reasoning_content"])}))
            for piece in _pieces(message.get("refusal") or ""):
                events.append(chunk({"refusal": piece}))
            contents = _pieces(message.get("content") or "", size)
            for piece in contents:
                events.append(chunk({"content": piece}))
            calls = list(enumerate(message.get("tool_calls") or []))
            if getattr(self, "sse_reverse", False):
                calls.reverse()
            for i, call in calls:
                fn = call.get("function") or {}
                args = fn.get("arguments") or ""
                if getattr(self, "sse_object_args", False):
                    events.append(chunk({"tool_calls": [{"index": i, "id": call.get("id"), "type": "function",
                                                         "function": {"name": fn.get("name"),
                                                                      "arguments": json.loads(args)}}]}))
                    continue
                events.append(chunk({"tool_calls": [{"index": 0 if getattr(self, "sse_index0", False)
                                                     else getattr(self, "sse_index", i),
                                                     "id": call.get("id"), "type": "function",
                                                     "function": {"name": fn.get("name"), "arguments": ""}}]}))
                half = len(args) // 2
                for part in (args[:half], args[half:]):
                    events.append(chunk({"tool_calls": [{"index": 0 if getattr(self, "sse_index0", False) else i,
                                                         "function": {"arguments": part}}]}))
            if done:
                events.append(chunk({}, finish))
            if include_usage and done:
                events.append(dict(base, choices=[], usage=usage if usage is not True else
                                   {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}))
            sent = 0
            for ev in events:
                if delay:
                    self.server.stopping.wait(delay)
                    if self.server.stopping.is_set():
                        return True
                if "content" in ((ev.get("choices") or [{}])[0].get("delta") or {}) and \
                        ev["choices"][0]["delta"]["content"]:
                    if drop_after is not None and sent >= drop_after:
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return True
                    if error_after is not None and sent >= error_after:
                        self._event({"error": {"message": "The server is overloaded.",
                                               "type": "server_error", "code": None}})
                        self._chunk_write(b"")
                        return True
                    sent += 1
                self._event(ev)
            if getattr(self, "sse_drop_end", False):
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return True
            if done:
                self._event("[DONE]")
            self._chunk_write(b"")
        except OSError:
            pass  # the client went away
        return True

    return {"_chunk_write": _chunk_write, "_event": _event, "_event_framed": _event_framed,
            "_streamed": _streamed}


for _name, _fn in _stream_handler_methods().items():
    setattr(_Handler, _name, _fn)


def _reasoning_fields(arg):
    """mode-reasoning's argument: the fields that carry the thinking."""
    return {"": ["reasoning_content"], "reasoning": ["reasoning"],
            "both": ["reasoning_content", "reasoning"]}[arg]


def two_calls():
    """The reply of mode-tools: two calls, get_weather for Paris and get_time."""
    return {"role": "assistant", "content": None, "tool_calls": [
        tool_call("call_1", "get_weather", "{\"city\": \"Paris\"}"),
        tool_call("call_2", "get_time", "{}")]}


def tool_call(call_id, name, arguments):
    """One item of an assistant message's tool_calls, as OpenAI sends it."""
    return {"id": call_id, "type": "function",
            "function": {"name": name, "arguments": arguments}}


def _kind(value):
    """OpenAI's name for the JSON type of a value, in its type errors."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a string"


def _check_call(i, j, call):
    """The error of messages[i].tool_calls[j], or None."""
    at = "messages[%d].tool_calls[%d]" % (i, j)
    if not isinstance(call, dict):
        return ("Invalid type for '%s': expected an object, but got %s instead." % (at, _kind(call)),
                at, "invalid_type")
    for key, want in (("id", str), ("type", str), ("function", dict)):
        if call.get(key) is None:
            return ("Missing required parameter: '%s.%s'." % (at, key), "%s.%s" % (at, key),
                    "missing_required_parameter")
        if not isinstance(call[key], want):
            return ("Invalid type for '%s.%s': expected %s, but got %s instead."
                    % (at, key, "a string" if want is str else "an object", _kind(call[key])),
                    "%s.%s" % (at, key), "invalid_type")
    if call["type"] != "function":
        return ("Invalid value: '%s'. Supported values are: 'function'." % call["type"],
                at + ".type", "invalid_value")
    for key in ("name", "arguments"):
        value = call["function"].get(key)
        if value is None:
            return ("Missing required parameter: '%s.function.%s'." % (at, key),
                    "%s.function.%s" % (at, key), "missing_required_parameter")
        if not isinstance(value, str):
            return ("Invalid type for '%s.function.%s': expected a string, but got %s instead."
                    % (at, key, _kind(value)), "%s.function.%s" % (at, key), "invalid_type")
    return None


def instance_of(schema, last):
    """A value that the JSON Schema `schema` accepts (the subset structured
    outputs use), its strings the last message's content."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or (kind is None and "properties" in schema):
        return {k: instance_of(v, last) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [instance_of(schema.get("items") or {}, last)]
    return {"string": last, "integer": 7, "number": 0.5, "boolean": True}.get(kind)


def reply_content(req, last):
    """The content of the normal reply: "echo: <last>", or JSON when the
    request's response_format asks for it."""
    rf = req.get("response_format")
    kind = rf.get("type") if isinstance(rf, dict) else None
    if kind == "json_object":
        return json.dumps({"echo": last})
    if kind == "json_schema":
        return json.dumps(instance_of(rf["json_schema"].get("schema") or {}, last))
    return "echo: %s" % last


def check_response_format(req):
    """What OpenAI answers to a request's response_format: None when it is
    absent or accepted, else (message, param, code) of its HTTP 400 error."""
    if "response_format" not in req or req["response_format"] is None:
        return None
    rf = req["response_format"]
    if not isinstance(rf, dict):
        return ("Invalid type for 'response_format': expected an object, but got %s instead."
                % _kind(rf), "response_format", "invalid_type")
    kind = rf.get("type")
    if kind not in ("text", "json_object", "json_schema"):
        return ("Invalid value: %s. Supported values are: 'text', 'json_object', and 'json_schema'."
                % json.dumps(kind), "response_format.type", "invalid_value")
    if kind == "json_schema":
        js = rf.get("json_schema")
        if not isinstance(js, dict):
            return ("Missing required parameter: 'response_format.json_schema'.",
                    "response_format.json_schema", "missing_required_parameter")
        name = js.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= 64 or \
                any(not (c.isascii() and (c.isalnum() or c in "_-")) for c in name):
            return ("Invalid 'response_format.json_schema.name': string does not match pattern."
                    " Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
                    "response_format.json_schema.name", "invalid_value")
        if "schema" in js and not isinstance(js["schema"], dict):
            return ("Invalid type for 'response_format.json_schema.schema': expected an object,"
                    " but got %s instead." % _kind(js["schema"]), "response_format.json_schema.schema",
                    "invalid_type")
    if kind == "json_object" and not any(
            isinstance(m, dict) and isinstance(text_of(m.get("content")), str)
            and "json" in text_of(m["content"]).lower()
            for m in req.get("messages") or []):
        return ("'messages' must contain the word 'json' in some form, to use 'response_format' of"
                " type 'json_object'.", "messages", None)
    return None


def text_of(content):
    """A message's content as text: a content array's text items joined by
    newlines; any other value as it is."""
    if isinstance(content, list):
        return "\n".join(item["text"] for item in content
                         if isinstance(item, dict) and item.get("type") == "text"
                         and isinstance(item.get("text"), str))
    return content


# The content item types each role takes in a content array.
ITEM_TYPES = {
    "system": ("text",), "developer": ("text",), "tool": ("text",),
    "assistant": ("text", "refusal"),
    "user": ("text", "image_url", "input_audio", "file"),
}


def _supported(types):
    quoted = ["'%s'" % t for t in types]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return " and ".join(quoted)
    return ", ".join(quoted[:-1]) + ", and " + quoted[-1]


def _is_data_url(url, media):
    """True when url is a base64 data URL whose media type is `media` (or,
    when `media` ends with "/", begins with it)."""
    head, comma, _ = url.partition(",")
    if not comma or not head.lower().startswith("data:") or not head.lower().endswith(";base64"):
        return False
    kind = head[5:].split(";", 1)[0].lower()
    return kind.startswith(media) and len(kind) > len(media) if media.endswith("/") else kind == media


def _check_object(at, value, keys):
    """The error of an object `value` at `at` whose members `keys` (name,
    type) are required, or None."""
    if not isinstance(value, dict):
        return ("Invalid type for '%s': expected an object, but got %s instead." % (at, _kind(value)),
                at, "invalid_type")
    for key, want in keys:
        if value.get(key) is None:
            return ("Missing required parameter: '%s.%s'." % (at, key), "%s.%s" % (at, key),
                    "missing_required_parameter")
        if not isinstance(value[key], want):
            return ("Invalid type for '%s.%s': expected a string, but got %s instead."
                    % (at, key, _kind(value[key])), "%s.%s" % (at, key), "invalid_type")
    return None


def _check_item(at, role, item):
    """The error of one item of a content array, or None."""
    if not isinstance(item, dict):
        return ("Invalid type for '%s': expected an object, but got %s instead." % (at, _kind(item)),
                at, "invalid_type")
    kind = item.get("type")
    if kind is None:
        return ("Missing required parameter: '%s.type'." % at, at + ".type", "missing_required_parameter")
    types = ITEM_TYPES[role]
    if kind not in types:
        return ("Invalid value: %s. Supported values are: %s." % (json.dumps(kind), _supported(types)),
                at + ".type", "invalid_value")
    if kind in ("text", "refusal"):
        return _check_object(at, item, ((kind, str),))
    if kind == "image_url":
        if item.get("image_url") is None:
            return ("Missing required parameter: '%s.image_url'." % at, at + ".image_url",
                    "missing_required_parameter")
        bad = _check_object(at + ".image_url", item["image_url"], (("url", str),))
        if bad is not None:
            return bad
        url = item["image_url"]["url"]
        if not (url.lower().startswith(("http://", "https://")) or _is_data_url(url, "image/")):
            return ("Invalid image URL: '%s.image_url.url'. Expected a valid URL or a base64-encoded"
                    " data URL with an image MIME type." % at, at + ".image_url.url", "invalid_value")
        detail = item["image_url"].get("detail")
        if detail is not None and detail not in ("auto", "low", "high"):
            return ("Invalid value: %s. Supported values are: 'auto', 'low', and 'high'." % json.dumps(detail),
                    at + ".image_url.detail", "invalid_value")
        return None
    if kind == "input_audio":
        if item.get("input_audio") is None:
            return ("Missing required parameter: '%s.input_audio'." % at, at + ".input_audio",
                    "missing_required_parameter")
        return _check_object(at + ".input_audio", item["input_audio"], (("data", str), ("format", str)))
    # file: a PDF as file_data (with its filename) or an uploaded file's file_id
    f = item.get("file")
    if f is None:
        return ("Missing required parameter: '%s.file'." % at, at + ".file", "missing_required_parameter")
    bad = _check_object(at + ".file", f, ())
    if bad is not None:
        return bad
    for key in ("file_data", "file_id", "filename"):
        if key in f and not isinstance(f[key], str):
            return ("Invalid type for '%s.file.%s': expected a string, but got %s instead."
                    % (at, key, _kind(f[key])), "%s.file.%s" % (at, key), "invalid_type")
    if "file_data" not in f and "file_id" not in f:
        return ("Missing required parameter: '%s.file.file_data' or '%s.file.file_id'." % (at, at),
                at + ".file", "missing_required_parameter")
    if "file_data" in f:
        if "filename" not in f:
            return ("Missing required parameter: '%s.file.filename'." % at, at + ".file.filename",
                    "missing_required_parameter")
        if not _is_data_url(f["file_data"], "application/pdf"):
            return ("Invalid file data: '%s.file.file_data'. Expected a base64-encoded data URL with an"
                    " application/pdf MIME type." % at, at + ".file.file_data", "invalid_value")
    return None


def check_content(i, m):
    """The error of messages[i]'s content as OpenAI checks it, or None: a
    string, or a non-empty array of the items its role takes (ITEM_TYPES);
    an assistant message's may be null or absent."""
    role = m.get("role")
    content = m.get("content")
    at = "messages[%d].content" % i
    if role not in ITEM_TYPES:
        return None
    if content is None:
        if role == "assistant":
            return None
        return ("Missing required parameter: '%s'." % at, at, "missing_required_parameter")
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return ("Invalid type for '%s': expected one of a string or array of objects, but got %s"
                " instead." % (at, _kind(content)), at, "invalid_type")
    if not content:
        return ("Invalid '%s': empty array. Expected an array with minimum length 1, but got an empty"
                " array instead." % at, at, "empty_array")
    for j, item in enumerate(content):
        bad = _check_item("%s[%d]" % (at, j), role, item)
        if bad is not None:
            return bad
    return None


def check_messages(messages):
    """What OpenAI answers to the content and the tool calling of a messages
    array: None when it is accepted, else (message, param, code) of its HTTP
    400 error."""
    pending = None  # the ids of the open tool_calls not answered yet
    owner = None    # the index of the assistant message that made them
    for i, m in enumerate(messages if isinstance(messages, list) else []):
        role = m.get("role") if isinstance(m, dict) else None
        bad = check_content(i, m) if role is not None else None
        if bad is not None:
            return bad
        if role == "tool":
            tid = m.get("tool_call_id")
            if tid is None:
                return ("Missing required parameter: 'messages[%d].tool_call_id'." % i,
                        "messages[%d].tool_call_id" % i, "missing_required_parameter")
            if not isinstance(tid, str):
                return ("Invalid type for 'messages[%d].tool_call_id': expected a string, but got"
                        " %s instead." % (i, _kind(tid)), "messages[%d].tool_call_id" % i,
                        "invalid_type")
            if pending is None or tid not in pending:
                return ("Invalid parameter: messages with role 'tool' must be a response to a"
                        " preceeding message with 'tool_calls'.", "messages.[%d].role" % i, None)
            pending.remove(tid)
            continue
        if pending:
            break
        pending = owner = None
        if role == "assistant" and m.get("tool_calls") is not None:
            calls = m["tool_calls"]
            if not isinstance(calls, list):
                return ("Invalid type for 'messages[%d].tool_calls': expected an array, but got %s"
                        " instead." % (i, _kind(calls)), "messages[%d].tool_calls" % i,
                        "invalid_type")
            if not calls:
                return ("Invalid 'messages[%d].tool_calls': empty array. Expected an array with"
                        " minimum length 1, but got an empty array instead." % i,
                        "messages[%d].tool_calls" % i, "empty_array")
            for j, call in enumerate(calls):
                bad = _check_call(i, j, call)
                if bad is not None:
                    return bad
            pending = [call["id"] for call in calls]
            owner = i
    if pending:
        return ("An assistant message with 'tool_calls' must be followed by tool messages"
                " responding to each 'tool_call_id'. The following tool_call_ids did not have"
                " response messages: %s" % ", ".join(pending), "messages.[%d].role" % owner, None)
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        with self.lock:
            self.connections += 1
        return True

    def handle_error(self, request, client_address):
        pass  # a client that hangs up or rejects the certificate is not an error here


class FakeOpenAI:
    """The server in a background thread; requests are recorded in-process."""

    def __init__(self, port=0, tls=None):
        """tls: None, or (certfile, keyfile) to serve https."""
        self.httpd = _Server(("127.0.0.1", port), _Handler)
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls[0], tls[1])
            # the handshake happens in the handler thread, on the first read
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True,
                                                do_handshake_on_connect=False)
        self.httpd.lock = threading.Lock()
        self.httpd.requests = []
        self.httpd.script = []
        self.httpd.connections = 0
        self.httpd.stopping = threading.Event()
        self.port = self.httpd.server_address[1]
        self.base_url = "%s://127.0.0.1:%d/v1" % ("https" if tls else "http", self.port)
        self.thread = None

    def start(self):
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.httpd.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    @property
    def requests(self):
        with self.httpd.lock:
            return list(self.httpd.requests)

    @property
    def connections(self):
        """The TCP connections accepted since the start or the last reset."""
        with self.httpd.lock:
            return self.httpd.connections

    def reset(self):
        """Forgets the requests, the connections and the scripted replies."""
        with self.httpd.lock:
            del self.httpd.requests[:]
            del self.httpd.script[:]
            self.httpd.connections = 0

    def script(self, *messages):
        """Queues the messages of the next normal-mode replies (see the top)."""
        with self.httpd.lock:
            self.httpd.script.extend(messages)


def main():
    srv = FakeOpenAI(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print("listening on %s" % srv.base_url, flush=True)
    srv.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()


if __name__ == "__main__":
    main()
