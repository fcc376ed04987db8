"""Suggestions, not logic: the pip packages that provide what a user may ask for before
installing it, so that an error can say what to install. Nothing else in kcore names its
plugins; an installed plugin reports itself through the hooks."""

# registry kind -> the known packages that register things of that kind
PACKAGES = {
    'backends': ('kcore-tf', 'kcore-theano', 'kcore-jax'),
    'datasets': ('kcore-apps',),
    'applications': ('kcore-apps',),
}
# registry kind -> {name: the package that registers it}
PROVIDERS = {
    'backends': {'tensorflow': 'kcore-tf', 'tf': 'kcore-tf',
                 'theano': 'kcore-theano', 'pytensor': 'kcore-theano', 'jax': 'kcore-jax'},
}


def provider(kind, name):
    """The pip package known to provide ``name`` in the registry ``kind``, or None."""
    return PROVIDERS.get(kind, {}).get(str(name).lower())


def install_hint(kind):
    """'pip install a (or b)': what to install to get any ``kind``, or a general hint."""
    packages = PACKAGES.get(kind)
    if not packages:
        return 'install a kcore plugin that registers %s' % kind
    others = ' (or %s)' % ', '.join(packages[1:]) if len(packages) > 1 else ''
    return 'pip install %s%s' % (packages[0], others)
