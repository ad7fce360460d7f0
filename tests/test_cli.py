"""The command line: table, demo, error handling (one line, exit status 2)."""

import subprocess
import sys

import pytest

from divergences.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "divergences", *args],
                          capture_output=True, text=True, timeout=600)


def test_table_lists_every_name(capsys):
    import divergences as dv

    assert main(["table"]) == 0
    out = capsys.readouterr().out
    for name in dv.f_names():
        assert name in out
    assert "-0.693147" in out          # f'(1) of gan is -log 2
    assert main(["table", "--format", "tsv"]) == 0
    rows = capsys.readouterr().out.strip().splitlines()
    assert len(rows) == len(dv.f_names()) + 1
    assert all(len(r.split("\t")) == 6 for r in rows)


def test_python_m_and_bad_arguments():
    ok = run("table")
    assert ok.returncode == 0 and "reverse_kl" in ok.stdout
    for args in (["nonsense"], [], ["table", "--format", "xml"], ["demo", "--seed", "x"]):
        res = run(*args)
        assert res.returncode == 2, args
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert "Traceback" not in res.stderr


def test_demo_runs_and_saves_plot(tmp_path):
    out = tmp_path / "demo.png"
    res = run("demo", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert "Closed forms between 5-D Gaussians" in res.stdout
    assert out.exists() and out.stat().st_size > 10_000
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_unwritable_plot_is_one_line(tmp_path):
    res = run("demo", "--out", str(tmp_path / "missing-dir" / "x.png"))
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1


def test_emd_command(tmp_path):
    import numpy as np

    import divergences as dv

    rng = np.random.default_rng(0)
    x, y, w = rng.normal(size=50), rng.normal(1, 2, size=30), rng.random(50)
    np.save(tmp_path / "x.npy", x)
    np.savetxt(tmp_path / "y.csv", y, delimiter=",")
    np.save(tmp_path / "w.npy", w)
    res = run("emd", str(tmp_path / "x.npy"), str(tmp_path / "y.csv"), "--x-weights",
              str(tmp_path / "w.npy"), "--p", "2", "--json")
    assert res.returncode == 0, res.stderr
    import json

    out = json.loads(res.stdout)
    assert out["wasserstein"] == pytest.approx(float(dv.wasserstein_1d(x, y, w, p=2)), rel=1e-12)
    plain = run("emd", str(tmp_path / "x.npy"), str(tmp_path / "y.csv"))
    assert plain.stdout.startswith("W_1 = ")


def test_emd_bad_files_are_one_line(tmp_path):
    import numpy as np

    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    (tmp_path / "bad.csv").write_text("1,2\nx,y\n")
    np.save(tmp_path / "ok.npy", np.arange(3.0))
    np.save(tmp_path / "neg.npy", -np.ones(3))
    cases = [
        ["emd", str(tmp_path / "missing.npy"), str(tmp_path / "ok.npy")],
        ["emd", str(tmp_path / "obj.npy"), str(tmp_path / "ok.npy")],
        ["emd", str(tmp_path / "bad.csv"), str(tmp_path / "ok.npy")],
        ["emd", str(tmp_path / "ok.npy"), str(tmp_path / "ok.npy"), "--x-weights",
         str(tmp_path / "neg.npy")],
        ["emd", str(tmp_path / "ok.npy")],
    ]
    for args in cases:
        res = run(*args)
        assert res.returncode == 2, (args, res.stdout, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert "Traceback" not in res.stderr


@pytest.mark.parametrize("method", ["c2st", "mmd", "energy"])
def test_test_command(tmp_path, method):
    import json

    import numpy as np

    rng = np.random.default_rng(0)
    np.save(tmp_path / "x.npy", rng.normal(size=(150, 3)))
    np.savetxt(tmp_path / "y.csv", rng.normal(size=(120, 3)) + [1.0, 0, 0], delimiter=",")
    res = run("test", str(tmp_path / "x.npy"), str(tmp_path / "y.csv"), "--method", method,
              "--seed", "0", "--permutations", "200", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["reject"] is True and out["pvalue"] < 0.01 and out["n_y"] == 120
    plain = run("test", str(tmp_path / "x.npy"), str(tmp_path / "y.csv"), "--method", method,
                "--seed", "0", "--permutations", "200")
    assert "reject H0" in plain.stdout


def test_test_command_errors(tmp_path):
    import numpy as np

    np.save(tmp_path / "a.npy", np.ones((10, 2)))
    np.save(tmp_path / "b.npy", np.ones((10, 3)))
    for args in (["test", str(tmp_path / "a.npy"), str(tmp_path / "b.npy")],
                 ["test", str(tmp_path / "a.npy"), str(tmp_path / "a.npy"), "--alpha", "2"],
                 ["test", str(tmp_path / "a.npy"), str(tmp_path / "a.npy"), "--method", "t"]):
        res = run(*args)
        assert res.returncode == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_estimate_and_mi_commands(tmp_path):
    import json
    import math

    import numpy as np

    rng = np.random.default_rng(0)
    np.save(tmp_path / "p.npy", rng.normal(size=(3000, 1)))
    np.save(tmp_path / "q.npy", rng.normal(1.0, 1.0, size=(3000, 1)))
    res = run("estimate", str(tmp_path / "p.npy"), str(tmp_path / "q.npy"), "--divergence", "kl",
              "--bound", "nwj", "--steps", "300", "--seed", "0", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert abs(out["estimate"] - 0.5) < 0.15 and out["ci"][0] < out["estimate"] < out["ci"][1]
    assert "step 300/300" in res.stderr               # progress on in the CLI
    x = rng.normal(size=(5000, 2))
    y = 0.8 * x + 0.6 * rng.normal(size=(5000, 2))
    np.savetxt(tmp_path / "xy.csv", np.hstack([x, y]), delimiter=",")
    res = run("mi", str(tmp_path / "xy.csv"), "--split", "2", "--steps", "300", "--seed", "0",
              "--quiet")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("I(X;Y) ~= ") and res.stderr == ""
    value = float(res.stdout.split("~=")[1].split()[0])
    assert abs(value - (-math.log(1 - 0.64))) < 0.2
    bad = run("mi", str(tmp_path / "xy.csv"), "--split", "9")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    bad = run("estimate", str(tmp_path / "p.npy"), str(tmp_path / "q.npy"), "--divergence", "foo")
    assert bad.returncode == 2 and "known names" in bad.stderr


def test_bench_command_round_trip(tmp_path):
    import csv

    res = run("bench", "--trials", "2", "--steps", "20", "--n", "800", "--mi", "0.5", "1",
              "--estimators", "infonce", "smile:1", "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    assert "| infonce |" in res.stdout and "| smile:1 |" in res.stdout
    rows = list(csv.DictReader(open(tmp_path / "out" / "bench.csv")))
    assert len(rows) == 4 and {r["estimator"] for r in rows} == {"infonce", "smile:1"}
    assert (tmp_path / "out" / "bench.png").stat().st_size > 10_000
    assert "bench:" in res.stderr                     # progress display
    bad = run("bench", "--estimators", "foo", "--trials", "1", "--out", str(tmp_path / "o2"))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) <= 2
