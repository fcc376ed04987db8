"""The ``kcore`` command: ``kcore plugins``, ``kcore backends``, ``kcore info``,
``kcore build``, ``kcore datasets``, ``kcore apps``, ``kcore run``."""
import argparse
import json
import os
import platform
import sys
import time
import warnings

import kcore
from kcore import config, plugins
from kcore.distribute import launch as distribute_launch
from kcore.plugins import known_plugins


def _manager():
    with warnings.catch_warnings():
        # The report shows load failures itself; no need to print them twice.
        warnings.simplefilter('ignore')
        return plugins.get_manager()


def cmd_plugins(args):
    """Each plugin: distribution, version, what it registered, or its error."""
    infos = list(_manager().plugins.values())
    if args.json:
        print(json.dumps([{'name': i.name, 'distribution': i.distribution, 'version': i.version,
                           'builtin': i.builtin, 'status': i.status, 'error': i.error,
                           'conflicts': i.conflicts, 'registered': i.registered}
                          for i in infos], indent=2))
        return 0
    for info in infos:
        origin = '%s %s' % (info.distribution or '?', info.version or '')
        print('%s  (%s)  %s' % (info.name, origin.strip(), info.status))
        if info.error:
            print('    error: %s' % info.error)
        for conflict in info.conflicts:
            print('    conflict: %s' % conflict)
        for kind, names in info.registered.items():
            print('    %s: %s' % (kind, ', '.join(names)))
    return 0


def cmd_backends(args):
    """Installed backends; the active one is marked with '*'."""
    active, reason = config.backend_choice()
    backends = _manager().registries['backends']
    if not len(backends):
        print('No backend is installed. Install one: %s' % known_plugins.install_hint('backends'))
        return 1
    for entry in backends.entries():
        mark = '*' if active.lower() in [entry.name.lower()] + [a.lower() for a in entry.aliases] else ' '
        aliases = ' (aliases: %s)' % ', '.join(entry.aliases) if entry.aliases else ''
        print('%s %s%s  from plugin %s' % (mark, entry.name, aliases, entry.plugin))
    print('active: %s (chosen by %s)' % (active, reason))
    return 0


def cmd_info(args):
    """Active backend and why, the config file and its values, versions, cache folders."""
    from kcore.plugins.manager import _version
    name, reason = config.backend_choice()
    settings = config.settings()
    print('kcore %s, Python %s, numpy %s' % (kcore.__version__, platform.python_version(),
                                              _version('numpy')))
    print('backend: %s (chosen by %s)' % (name, reason))
    backends = _manager().registries['backends']
    if name in backends:
        entry = backends.entry(name)
        info = _manager().plugins[entry.plugin]
        print('  provided by plugin %s (%s %s)' % (entry.plugin, info.distribution, info.version))
        for library, version in _manager().versions(entry.plugin).items():
            print('  %s %s installed' % (library, version))
    else:
        print('  not installed; installed backends: %s' % (', '.join(backends.names()) or 'none'))
    print('config file: %s' % config.config_path())
    for key in sorted(config.DEFAULTS):
        print('  %s: %s' % (key, settings[key]))
    print('caches:')
    for what, folder, (files, size) in cache_folders():
        usage = ('%d file%s, %s' % (files, '' if files == 1 else 's', _size(size))
                 if files is not None else 'not there yet')
        print('  %s: %s (%s)' % (what, folder, usage))
    return 0


def _folder_usage(folder, recursive=True):
    """(number of files, total bytes) under ``folder``, or (None, 0) where it is missing."""
    if not os.path.isdir(folder):
        return None, 0
    files = size = 0
    for root, dirs, names in os.walk(folder):
        if not recursive:
            dirs[:] = []
        for name in names:
            try:
                size += os.lstat(os.path.join(root, name)).st_size
                files += 1
            except OSError:   # removed while we count
                pass
    return files, size


def _size(size):
    for unit in ('bytes', 'KB', 'MB', 'GB'):
        if size < 1000 or unit == 'GB':
            return ('%d %s' if unit == 'bytes' else '%.1f %s') % (size, unit)
        size /= 1000.0


def cache_folders():
    """``(what, folder, (files, bytes))`` of kcore's native-kernel cache and of each folder
    a plugin reports through ``cache_folders`` (files is None where the folder is missing)."""
    from kcore import native
    # Only the kernel cache's own files: other caches may live in folders inside it
    # (the nox sessions put PyTensor's in ~/.cache/kcore/pytensor).
    rows = [('kcore: native kernels', native.cache_dir(),
             _folder_usage(native.cache_dir(), recursive=False))]
    for info, result, error in _manager().hook_results('cache_folders'):
        label = info.distribution or info.name
        if error is not None:
            rows.append(('%s: cache_folders failed: %s' % (label, error), '-', (None, 0)))
            continue
        for what, folder in sorted((result or {}).items()):
            rows.append(('%s: %s' % (label, what), folder, _folder_usage(folder)))
    return rows


def cmd_build(args):
    """Build the native kernels of the installed backends ahead of time (for CI and Docker
    images), so that no first use waits for a compiler."""
    from kcore import native
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # the report says what failed
        libraries, failed = native.libraries()
    if args.backend:
        backends = _manager().registries['backends']
        if args.backend not in backends:
            print('kcore build: no backend %r is installed; installed backends: %s'
                  % (args.backend, ', '.join(backends.names()) or 'none'), file=sys.stderr)
            return 2
        plugin = _manager().plugins[backends.entry(args.backend).plugin]
        label = plugin.distribution or plugin.name
        libraries = [lib for lib in libraries if lib.plugin == label]
        failed = {k: v for k, v in failed.items() if k == label}
    for label, error in failed.items():
        print('%s: could not list its native libraries: %s' % (label, error))
    if not libraries and not failed:
        which = 'The backend %s has no' % args.backend if args.backend else 'No backend has'
        print('%s native kernels to build.' % which)
    elif libraries:
        print('cache: %s' % native.cache_dir())
    status = 1 if failed else 0
    for library in libraries:
        # The line is printed whole after the build: a backend imported by the builder may
        # write its own messages to stderr meanwhile.
        line = '%s: %s [%s]: ' % (library.plugin, library.description, library.name)
        started = time.monotonic()
        try:
            with native.built_ahead() as compiled:
                library.build()
        except Exception as e:   # any failure is reported; the other libraries still build
            reason = str(e).strip() or type(e).__name__
            print(line + 'failed: %s' % reason.replace('\n', '\n    '), flush=True)
            status = 1
            continue
        print(line + ('built in %.0f s' % (time.monotonic() - started) if compiled
                      else 'already cached'), flush=True)
    return status


def _file_rows(kind, column, files_of, cache_subdir):
    """One dict per file of each module registered as ``kind``: its name (under
    ``column``), plugin, file, path and status; ``files_of(module)`` names the files
    (None: a helper module, left out)."""
    from kcore.plugins.registries import RegistryError
    from kcore.utils import data_utils
    rows = []
    for entry in _manager().registries[kind].entries():
        row = {column: entry.name, 'plugin': entry.origin}
        try:
            module = entry.load()
        except RegistryError as e:
            rows.append(dict(row, file='-', path='-', status='FAILED: %s' % e))
            continue
        files = files_of(module)
        if files is None:
            continue
        if not files:
            rows.append(dict(row, file='-', path='-', status='no download needed'))
        for fname in files:
            found = data_utils.find_cached(fname, cache_subdir)
            rows.append(dict(row, file=fname, status='downloaded' if found else 'not downloaded',
                             path=found or os.path.join(data_utils.cache_folder(cache_subdir),
                                                        fname)))
    return rows


def dataset_files():
    """One dict per file of each registered dataset: dataset, plugin, file, path, status."""
    # a module without load_data is a helper (keras.datasets.cifar)
    return _file_rows('datasets', 'dataset', lambda m: getattr(m, 'FILES', ())
                      if hasattr(m, 'load_data') else None, 'datasets')


def application_files():
    """One dict per weight file of each registered application: application, plugin,
    file, path, status (helper modules such as imagenet_utils are left out)."""
    return _file_rows('applications', 'application', lambda m: getattr(m, 'WEIGHT_FILES', None),
                      'models')


def _show_files(rows, args, columns, kind):
    """Print ``rows`` as a table (or JSON with --json); 1 when there is nothing."""
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print('No %s is registered. Install one: %s'
              % (kind, known_plugins.install_hint(kind + 's')))
        return 1
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    for values in [columns] + [[r[c] for c in columns] for r in rows]:
        print('  '.join(str(v).ljust(w) for v, w in zip(values, widths)).rstrip())
    return 0


def cmd_datasets(args):
    """Registered datasets: their files, where they are cached, whether they are there."""
    return _show_files(dataset_files(), args, ('dataset', 'file', 'status', 'path', 'plugin'),
                       'dataset')


def cmd_apps(args):
    """Registered applications: their weight files, where they are cached, whether they
    are there."""
    return _show_files(application_files(), args,
                       ('application', 'file', 'status', 'path', 'plugin'), 'application')


def cmd_run(args):
    """Run a Keras 1 script (SCRIPT.py or -m MODULE) with `import keras` giving kcore."""
    from kcore.compat import run
    return run.main(args.program)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ['run'] and argv[1:2] not in (['-h'], ['--help']):
        # The program's own options (-m, --help, ...) must not reach argparse.
        return cmd_run(argparse.Namespace(program=argv[1:]))
    parser = argparse.ArgumentParser(prog='kcore', description='kcore: the Keras 1 API with plugins.')
    parser.add_argument('--version', action='version', version='kcore %s' % kcore.__version__)
    commands = parser.add_subparsers(dest='command')
    p = commands.add_parser('plugins', help=cmd_plugins.__doc__)
    p.add_argument('--json', action='store_true', help='print the report as JSON')
    p.set_defaults(run=cmd_plugins)
    commands.add_parser('backends', help=cmd_backends.__doc__).set_defaults(run=cmd_backends)
    commands.add_parser('info', help=cmd_info.__doc__).set_defaults(run=cmd_info)
    p = commands.add_parser('build', help=cmd_build.__doc__, description=cmd_build.__doc__)
    p.add_argument('--backend', metavar='NAME',
                   help="build only this backend's kernels (one that `kcore backends` lists)")
    p.set_defaults(run=cmd_build)
    p = commands.add_parser('datasets', help=cmd_datasets.__doc__)
    p.add_argument('--json', action='store_true', help='print the table as JSON')
    p.set_defaults(run=cmd_datasets)
    p = commands.add_parser('apps', help=cmd_apps.__doc__)
    p.add_argument('--json', action='store_true', help='print the table as JSON')
    p.set_defaults(run=cmd_apps)
    p = commands.add_parser('run', help=cmd_run.__doc__, description=cmd_run.__doc__)
    p.add_argument('program', nargs=argparse.REMAINDER,
                   help='SCRIPT.py [args ...], or -m MODULE [args ...]')
    p.set_defaults(run=cmd_run)
    distribute_launch.add_cli(commands)
    args = parser.parse_args(argv)
    if not getattr(args, 'run', None):
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except config.ConfigError as e:
        print('kcore: %s' % e, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
