-- langgraph_list's filter compares metadata keys decoded, whatever their
-- characters: a key with a double quote or a backslash, or written with a
-- \u escape, matches (a JSON path could not name them).
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT langgraph_put('t', 'c1', x'00', '{"say \"hi\"": 1, "a\u00e9": "x", "p.q": [1, 2], "n": null, "b\\c": true}');
SELECT langgraph_put('t', 'c2', x'00', '{"say \"hi\"": 2, "aé": "y", "p.q": [2], "b\\c": false}');
SELECT 'quote', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"say \"hi\"": 1}}');
SELECT 'escaped', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"aé": "x"}}');
SELECT 'escaped2', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"a\u00e9": "y"}}');
SELECT 'dot', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"p.q": [1,2]}}');
SELECT 'null', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"n": null}}');
SELECT 'bs', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"b\\c": false}}');
SELECT 'two', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"b\\c": true, "p.q": [1, 2]}}');
SELECT 'missing', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {"zz": 1}}');
SELECT 'empty', group_concat(checkpoint_id) FROM langgraph_list('t', '{"filter": {}}');
