// vitest for make test-langgraph: the validation suite uses the global
// describe/it/expect, and every test file runs in the one process.
export default {
  test: {
    globals: true,
    include: ['*.test.mjs'],
    pool: 'threads',
    testTimeout: 30000,
  },
};
