// A plugin module that fails while loading, for the CLI tests.
throw new Error('this plugin is broken on purpose');
