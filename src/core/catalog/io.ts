/** Codes of operating-system I/O failures: `io.<errno>` for the common errno values, `io.error` for the rest. */
import { defineArea } from './types.js';

export const io = defineArea('io', 'reading and writing files (the errno is part of the code; the message names the path)', {
  'io.enoent': { exit: 'io', severity: 'error', hint: 'check the path exists' },
  'io.eacces': { exit: 'io', severity: 'error', hint: 'check permissions' },
  'io.eperm': { exit: 'io', severity: 'error', hint: 'check permissions and file attributes' },
  'io.enospc': { exit: 'io', severity: 'error', hint: 'free some disk space' },
  'io.edquot': { exit: 'io', severity: 'error', hint: 'the disk quota is used up; free some space' },
  'io.eisdir': { exit: 'io', severity: 'error', hint: 'a folder was given where a file is needed' },
  'io.enotdir': { exit: 'io', severity: 'error', hint: 'a part of the path is a file, not a folder' },
  'io.eexist': { exit: 'io', severity: 'error', hint: 'something is already at that path; move it away' },
  'io.enotempty': { exit: 'io', severity: 'error', hint: 'the folder is not empty; move its contents away' },
  'io.erofs': { exit: 'io', severity: 'error', hint: 'the file system is read-only' },
  'io.exdev': { exit: 'io', severity: 'error', hint: 'source and destination are on different file systems' },
  'io.emfile': { exit: 'io', severity: 'error', hint: 'too many open files; raise the limit (ulimit -n)' },
  'io.eloop': { exit: 'io', severity: 'error', hint: 'the path runs through a symlink loop' },
  'io.enametoolong': { exit: 'io', severity: 'error', hint: 'use a shorter path' },
  'io.ebusy': { exit: 'io', severity: 'error', hint: 'the file is in use; try again when it is free' },
  'io.eio': { exit: 'io', severity: 'error', hint: 'the disk reported an error; check it' },
  'io.error': { exit: 'io', severity: 'error', hint: 'an I/O error without a common errno; the message has the details' },
  'io.hash': { exit: 'io', severity: 'error', hint: 'a file could not be read to hash it; check the disk and permissions' },
});
