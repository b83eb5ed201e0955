<?php
// PDO cannot load chatflow before PHP 8.4: its SQLite driver has no
// loadExtension() (PHP 8.4 adds Pdo\Sqlite::loadExtension), and SQL's
// load_extension() function is disabled on its connections.
$pdo = new PDO('sqlite::memory:');
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
echo 'PHP ', PHP_MAJOR_VERSION, '.', PHP_MINOR_VERSION, "\n";
echo 'loadExtension: ', method_exists($pdo, 'loadExtension') ? 'yes' : 'no', "\n";
try {
    $pdo->query("SELECT load_extension('dist/chatflow')");
} catch (PDOException $e) {
    echo $e->getMessage(), "\n";
}
