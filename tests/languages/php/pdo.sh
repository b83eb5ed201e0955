# PDO on PHP 8.2 (Debian 12) cannot load chatflow.
php tests/languages/php/pdo.php
