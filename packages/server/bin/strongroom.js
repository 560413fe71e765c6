#!/usr/bin/env node
// Committed launcher so that npm links the `strongroom` command at install time, before the first build.
import '../dist/cli/main.js';
