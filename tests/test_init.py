"""The package's public names, imported on first use."""

import subprocess
import sys

import skmultimlp


def test_every_public_name_resolves_to_its_module():
    assert set(skmultimlp.__all__) == {*skmultimlp._EXPORTS, "__version__"}
    for name, module in skmultimlp._EXPORTS.items():
        value = getattr(skmultimlp, name)
        assert getattr(sys.modules[f"skmultimlp{module}"], name) is value
    assert set(skmultimlp.__all__) <= set(dir(skmultimlp))


def test_importing_the_package_starts_no_backend():
    code = "import sys, skmultimlp; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"]
