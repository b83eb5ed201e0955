# PHP's SQLite3 class (Debian: php-cli, php-sqlite3) loads extensions only
# from sqlite3.extension_dir, an absolute directory set in php.ini or with -d,
# and takes the file name with its .so.
ext=${CHATFLOW_EXT:-dist/chatflow}
php -d sqlite3.extension_dir="$(cd "$(dirname "$ext")" && pwd)" tests/languages/php/example.php
