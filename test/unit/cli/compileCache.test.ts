import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { compileCacheDirectory } from '../../../src/cli/compileCache';

describe("compileCacheDirectory: the CLI's code cache lives in the user's own cache folder", () => {
  it('Linux: $XDG_CACHE_HOME, else ~/.cache; a relative XDG_CACHE_HOME is ignored (XDG Base Directory)', () => {
    assert.equal(compileCacheDirectory({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/ann'), posix.join('/xdg', 'btp-connect', 'compile'));
    assert.equal(compileCacheDirectory({}, 'linux', '/home/ann'), posix.join('/home/ann', '.cache', 'btp-connect', 'compile'));
    assert.equal(compileCacheDirectory({ XDG_CACHE_HOME: 'cache' }, 'linux', '/home/ann'), posix.join('/home/ann', '.cache', 'btp-connect', 'compile'));
  });

  it('macOS: ~/Library/Caches; Windows: %LOCALAPPDATA%', () => {
    assert.equal(compileCacheDirectory({}, 'darwin', '/Users/ann'), posix.join('/Users/ann', 'Library', 'Caches', 'btp-connect', 'compile'));
    const windows = compileCacheDirectory({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann');
    assert.equal(windows, 'C:\\Users\\ann\\AppData\\Local\\btp-connect\\Cache\\compile');
  });

  it('none without a home of its own: never a shared temporary folder', () => {
    assert.equal(compileCacheDirectory({}, 'linux', ''), undefined);
    assert.equal(compileCacheDirectory({}, 'win32', 'C:\\Users\\ann'), undefined);
    assert.equal(compileCacheDirectory({}, 'linux', 'relative/home'), undefined);
  });
});
