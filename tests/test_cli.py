import re

import pytest

from skmultimlp.cli import main


def test_evaluate_prints_mean_and_std_of_each_metric(capsys):
    assert main(["--epochs", "2", "--splits", "2", "--repeats", "1", "--hidden", "8"]) == 0
    out = capsys.readouterr()
    assert "2 fits" in out.out
    for title in ("exact-match accuracy", "hamming loss", "macro F1"):
        assert re.search(rf"{title}: 0\.\d{{3}} ± 0\.\d{{3}}", out.out), out.out
    assert "folds" in out.err  # the tqdm progress bar


@pytest.mark.parametrize(
    "argv", [["--hidden", "a,b"], ["--epochs", "0"], ["--splits", "x"], ["--splits", "1"]]
)
def test_bad_arguments_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err
