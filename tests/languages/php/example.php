<?php
// A chatflow session from PHP with the SQLite3 class.
// Run with the directory that holds chatflow.so as sqlite3.extension_dir:
//   php -d sqlite3.extension_dir=/path/to/dist example.php

$db = new SQLite3(':memory:');
$db->enableExceptions(true);
$db->loadExtension('chatflow.so'); // a file name inside sqlite3.extension_dir

// querySingle() steps the statement once: safe for functions that write.
$db->querySingle('SELECT chatflow_init()');
$conv = $db->querySingle("SELECT create_conversation('acme', 'Languages')");
echo "conversation $conv\n";

// execute() + fetchArray() runs a statement twice (a PHP bug, still in
// 8.2; query() + fetchArray() too), so a prepared add_message whose result
// is fetched carries a uid: the second run is a retry that returns the same
// id and writes nothing.
$add = $db->prepare("SELECT add_message(:conv, :role, :content, json_object('uid', :uid))");
$messages = [
    // the id bound as an int (INTEGER) ...
    [$conv, SQLITE3_INTEGER, 'user', 'Hello from PHP', 'php-1'],
    // ... and as a float (REAL: accepted when it is a whole number)
    [(float) $conv, SQLITE3_FLOAT, 'assistant', 'Hi! The id came as a float.', 'php-2'],
];
foreach ($messages as [$id, $type, $role, $content, $uid]) {
    $add->bindValue(':conv', $id, $type);
    $add->bindValue(':role', $role, SQLITE3_TEXT);
    $add->bindValue(':content', $content, SQLITE3_TEXT);
    $add->bindValue(':uid', $uid, SQLITE3_TEXT);
    $msg = $add->execute()->fetchArray(SQLITE3_NUM)[0];
    echo "message $msg\n";
    $add->reset();
}
echo 'messages stored: ', $db->querySingle('SELECT count(*) FROM chat_messages'), "\n";

// A streamed answer. append_message has no retry key (a second run adds
// the delta again), so its prepared statement is run with execute() and
// nothing is fetched: that runs it once. begin_message and finish_message
// return a value and go through querySingle().
$draft = $db->querySingle("SELECT begin_message($conv, 'assistant')");
$append = $db->prepare('SELECT append_message(:id, :delta)');
foreach (['Sour', 'dough', ' from PHP'] as $delta) {
    $append->bindValue(':id', $draft, SQLITE3_INTEGER);
    $append->bindValue(':delta', $delta, SQLITE3_TEXT);
    $append->execute(); // not fetched: runs once
    $append->reset();
}
$db->querySingle("SELECT finish_message($draft)");
echo 'streamed: ', $db->querySingle("SELECT content FROM chat_messages WHERE id = $draft"), "\n";

// A checkpoint: serialize() of an object with private or protected
// properties holds NUL bytes, and this class returns TEXT cut at its first
// NUL, so a checkpoint is bound as SQLITE3_BLOB, which comes back whole.
class Workflow
{
    private $step = 'clarification';
    protected $answers = ['audience' => 'locals'];
}
$checkpoint = serialize(new Workflow());
$save = $db->prepare('INSERT INTO workflow_interrupt (workflow_id, data) VALUES (:id, :data)');
foreach (['text' => SQLITE3_TEXT, 'blob' => SQLITE3_BLOB] as $name => $type) {
    $save->bindValue(':id', "php-$name", SQLITE3_TEXT);
    $save->bindValue(':data', $checkpoint, $type);
    $save->execute(); // not fetched: runs once
    $save->reset();
    $data = $db->querySingle("SELECT data FROM workflow_interrupt WHERE workflow_id = 'php-$name'");
    echo "checkpoint as $name: ", strlen($checkpoint), ' bytes saved, ', strlen($data), ' read, ',
        $data === $checkpoint && unserialize($data) == new Workflow() ? 'restored' : 'lost', "\n";
}

// A fractional id is refused with chatflow's error.
try {
    $db->querySingle("SELECT add_message(1.5, 'user', 'never stored')");
} catch (Exception $e) {
    echo 'error: ', $e->getMessage(), "\n";
}

echo $db->querySingle("SELECT chat_history_json($conv)"), "\n";

// The trap itself: query() + fetchArray() of a writing call runs it twice.
$trap = $db->querySingle("SELECT create_conversation('acme', 'Trap')");
$db->query("SELECT add_message($trap, 'user', 'once?')")->fetchArray();
echo 'query() + fetchArray(): stored ',
    $db->querySingle("SELECT count(*) FROM chat_messages WHERE conversation_id = $trap"), " times\n";
