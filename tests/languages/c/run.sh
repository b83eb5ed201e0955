# C: chatflow linked statically; the flags of its libraries from pkg-config.
set -e
mkdir -p dist/languages
cc -std=c11 -Wall -Wextra -Werror -o dist/languages/chatflow-c tests/languages/c/main.c dist/libchatflow.a \
  $(pkg-config --cflags --libs json-c libcurl libutf8proc sqlite3) -lm
dist/languages/chatflow-c
