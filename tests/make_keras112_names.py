"""Write tests/keras112_names.txt from the specification's KERAS112_NAMES.md.

Run once, by hand, when the specification changes:
``python tests/make_keras112_names.py ../shared/spec/KERAS112_NAMES.md``.
Each output line is ``module: name name ...`` with the module's kcore path.
"""
import pathlib
import re
import sys

HEADING = re.compile(r'^## `keras((?:\.\w+)*)` \((\d+)\)$')
NAME = re.compile(r'`(\w+)`')


def parse(text):
    """Return [(kcore module path, [names])] in the order of the document."""
    modules, current = [], None
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            current = ('kcore' + heading.group(1), int(heading.group(2)), [])
            modules.append(current)
        elif current is not None and line.startswith('`'):
            current[2].extend(NAME.findall(line))
    for module, count, names in modules:
        if len(names) != count:
            raise ValueError('%s lists %d names, its heading says %d.' % (module, len(names), count))
    return [(module, names) for module, _, names in modules]


def main(source, target):
    modules = parse(pathlib.Path(source).read_text(encoding='utf-8'))
    lines = ['# Keras 1.1.2 public names at their kcore paths; written by make_keras112_names.py.']
    lines += ['%s: %s' % (module, ' '.join(names)) for module, names in modules]
    pathlib.Path(target).write_text('\n'.join(lines) + '\n', encoding='utf-8')
    print('%d names in %d modules' % (sum(len(n) for _, n in modules), len(modules)))


if __name__ == '__main__':
    here = pathlib.Path(__file__).resolve().parent
    main(sys.argv[1] if len(sys.argv) > 1 else here.parent.parent / 'shared/spec/KERAS112_NAMES.md',
         here / 'keras112_names.txt')
