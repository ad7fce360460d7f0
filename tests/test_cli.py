"""The command line, called in-process on tiny inputs: every command, every option check,
and errors as one line naming the user's file or option (exit status 2)."""

import csv
import json
import math
import subprocess
import sys

import numpy as np
import pytest

import divergences as dv
from divergences import cli
from divergences.cli import main


@pytest.fixture
def run(capsys):
    """Call the entry point in-process; returns (exit status, stdout, stderr)."""

    def call(*args):
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def one_line_error(res, *needles):
    code, out, err = res
    assert code == 2, (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def test_table_lists_every_name(run):
    code, out, _ = run("table")
    assert code == 0
    for name in dv.f_names():
        assert name in out
    assert "-0.693147" in out          # f'(1) of gan is -log 2
    code, out, _ = run("table", "--format", "tsv")
    rows = out.strip().splitlines()
    assert len(rows) == len(dv.f_names()) + 1
    assert all(len(r.split("\t")) == 6 for r in rows)


def test_python_m_entry_point():
    # the one subprocess of the suite: `python -m divergences` reaches the same main
    ok = subprocess.run([sys.executable, "-m", "divergences", "table", "--format", "tsv"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "reverse_kl" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "divergences", "nonsense"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_bad_arguments_are_one_line(run):
    for args in (["nonsense"], [], ["table", "--format", "xml"], ["demo", "--seed", "x"]):
        one_line_error(run(*args))


def test_help_is_plain_text(run, capsys):
    for args in (["--help"], ["estimate", "--help"], ["bench", "--help"]):
        with pytest.raises(SystemExit) as exc:
            main(args)
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert "``" not in out and ":func:" not in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "Ctrl-C" in capsys.readouterr().out


def test_quick_demo_runs_in_process_and_saves_plot(run, tmp_path):
    out = tmp_path / "demo.png"
    code, stdout, _ = run("demo", "--quick", "--out", out)
    assert code == 0
    for section in ("Closed forms between 5-D Gaussians", "Earth-Mover distance",
                    "Two-sample tests", "Variational estimators", "Bias and variance"):
        assert section in stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_demo_unwritable_plot_is_one_line(run, tmp_path, monkeypatch):
    # only the plot matters here: skip the tour's sections
    import divergences._demo as demo

    for name in ("_discrete_tour", "_gaussian_tour", "_wasserstein_tour", "_tests_tour",
                 "_estimators_tour"):
        monkeypatch.setattr(demo, name, lambda rng, s: None)
    one_line_error(run("demo", "--quick", "--out", tmp_path / "missing-dir" / "x.png"))


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    paths = {}

    def save(name, arr):
        path = tmp_path / name
        if name.endswith(".npy"):
            np.save(path, arr)
        else:
            np.savetxt(path, arr, delimiter=",")
        paths[name] = path
        return path

    save("x.npy", rng.normal(size=50))
    save("y.csv", rng.normal(1, 2, size=30))
    save("w.npy", rng.random(50))
    save("col.csv", rng.normal(size=(40, 1)))
    save("row.npy", rng.normal(size=(1, 40)))
    save("three.csv", rng.normal(size=(20, 3)))
    save("cube.npy", rng.normal(size=(10, 4, 3)))
    bad = rng.normal(size=20)
    bad[6] = np.nan
    save("nan.csv", bad)
    save("neg.npy", -np.ones(50))
    save("short.npy", np.ones(7))
    (tmp_path / "empty.csv").write_text("")
    paths["empty.csv"] = tmp_path / "empty.csv"
    (tmp_path / "garbage.npy").write_bytes(b"this is not an array at all")
    paths["garbage.npy"] = tmp_path / "garbage.npy"
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    paths["obj.npy"] = tmp_path / "obj.npy"
    (tmp_path / "text.csv").write_text("1,2\nx,y\n")
    paths["text.csv"] = tmp_path / "text.csv"
    return paths


def test_emd_command(run, files):
    x, y, w = np.load(files["x.npy"]), np.loadtxt(files["y.csv"]), np.load(files["w.npy"])
    code, out, _ = run("emd", files["x.npy"], files["y.csv"], "--x-weights", files["w.npy"],
                       "--p", "2", "--json")
    assert code == 0
    res = json.loads(out)
    assert res["wasserstein"] == pytest.approx(float(dv.wasserstein_1d(x, y, w, p=2)), rel=1e-12)
    code, out, _ = run("emd", files["x.npy"], files["y.csv"])
    assert out.startswith("W_1 = ")
    # a column (n, 1) and a row (1, n) are one sample each
    col, row = np.loadtxt(files["col.csv"]), np.load(files["row.npy"]).ravel()
    code, out, _ = run("emd", files["col.csv"], files["row.npy"], "--json")
    assert code == 0
    assert json.loads(out)["wasserstein"] == pytest.approx(float(dv.wasserstein_1d(col, row)))
    assert json.loads(out)["n_x"] == 40


def test_emd_never_guesses_a_shape(run, files):
    for name, shape in (("three.csv", "(20, 3)"), ("cube.npy", "(10, 4, 3)")):
        err = one_line_error(run("emd", files[name], files["x.npy"]), f"X ({files[name]})",
                             shape)
        assert "one column" in err


def test_emd_messages_name_the_users_files(run, files):
    one_line_error(run("emd", files["nan.csv"], files["y.csv"]),
                   f"X ({files['nan.csv']}) contains NaN", "row 7")
    one_line_error(run("emd", files["x.npy"], files["y.csv"], "--x-weights", files["short.npy"]),
                   f"--x-weights ({files['short.npy']}) has 7 weights", "X (", "50 samples")
    one_line_error(run("emd", files["x.npy"], files["y.csv"], "--x-weights", files["neg.npy"]),
                   "--x-weights (", "negative")
    err = one_line_error(run("emd", files["empty.csv"], files["x.npy"]), "is empty")
    assert "UserWarning" not in err
    one_line_error(run("emd", files["garbage.npy"], files["x.npy"]), "not a .npy file")
    one_line_error(run("emd", files["obj.npy"], files["x.npy"]), "Python objects")
    one_line_error(run("emd", files["text.csv"], files["x.npy"]), "not a number")
    one_line_error(run("emd", files["x.npy"].with_name("missing.npy"), files["x.npy"]),
                   "no such file")
    one_line_error(run("emd", files["x.npy"]))
    one_line_error(run("emd", files["x.npy"], files["y.csv"], "--p", "0.5"), "--p", ">= 1")


@pytest.fixture
def samples(tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "x.npy", rng.normal(size=(150, 3)))
    np.savetxt(tmp_path / "y.csv", rng.normal(size=(120, 3)) + [1.0, 0, 0], delimiter=",")
    return tmp_path / "x.npy", tmp_path / "y.csv"


def test_test_command_lists_every_method_and_defaults_to_the_library_default(run, samples):
    out = [a for a in cli._build_parser()._subparsers._group_actions[0].choices.items()
           if a[0] == "test"][0][1].format_help()
    for method in dv.TWO_SAMPLE_METHODS:
        assert method in out
    x, y = samples
    code, out, err = run("test", x, y, "--seed", "0", "--permutations", "99", "--json")
    assert code == 0, err
    assert json.loads(out)["method"].startswith("MMDAgg")
    # the old spelling of --level still works, and says so
    code, out, err = run("test", x, y, "--seed", "0", "--permutations", "99", "--alpha", "0.1")
    assert code == 0 and "--alpha is renamed --level" in err and "at level 0.1" in out


@pytest.mark.parametrize("method", ["c2st", "mmd", "energy", "mmd_agg", "mmd_fuse"])
def test_test_command(run, samples, method):
    x, y = samples
    code, out, err = run("test", x, y, "--method", method, "--seed", "0", "--permutations",
                         "200", "--json")
    assert code == 0, err
    res = json.loads(out)
    # MMDAgg's p-value has a floor of a few / (B2 + 1) (see mmd_agg_test)
    assert res["reject"] is True and res["n_y"] == 120
    assert res["pvalue"] < (0.05 if method == "mmd_agg" else 0.01)
    # --permutations is the one integer count of relabellings of two_sample_test
    assert res["details"]["n_permutations"] == 200
    assert res["level"] == 0.05
    code, out, _ = run("test", x, y, "--method", method, "--seed", "0", "--permutations", "200")
    assert "reject H0" in out and "p-value" in out
    assert len(out.splitlines()) == 2


def test_test_command_errors(run, tmp_path):
    np.save(tmp_path / "a.npy", np.ones((10, 2)))
    np.save(tmp_path / "b.npy", np.ones((10, 3)))
    a, b = tmp_path / "a.npy", tmp_path / "b.npy"
    one_line_error(run("test", a, b), f"X ({a}) has 2 column(s)", f"Y ({b}) has 3")
    one_line_error(run("test", a, a, "--level", "2"), "--level", "(0, 1)")
    one_line_error(run("test", a, a, "--level", "nan"), "--level")
    one_line_error(run("test", a, a, "--alpha", "2"), "--alpha", "(0, 1)")
    one_line_error(run("test", a, a, "--method", "t"))
    one_line_error(run("test", a, a, "--permutations", "0"), "--permutations", ">= 1")
    one_line_error(run("test", a, a, "--permutations", "1.5"), "--permutations")


def test_test_command_warns_when_the_level_is_out_of_reach(run, samples):
    x, y = samples
    code, out, err = run("test", x, y, "--method", "energy", "--permutations", "1", "--seed", "0")
    assert code == 0
    assert "can never reject" in err and "1/2 = 0.5" in err and ">= 19" in err
    assert "do not reject" in out
    code, _, err = run("test", x, y, "--method", "energy", "--permutations", "19", "--seed", "0")
    assert code == 0 and err == ""           # 1/20 = alpha: reachable


def test_estimate_and_mi_commands(run, tmp_path):
    rng = np.random.default_rng(0)
    np.save(tmp_path / "p.npy", rng.normal(size=(1500, 1)))
    np.save(tmp_path / "q.npy", rng.normal(1.0, 1.0, size=(1500, 1)))
    code, out, err = run("estimate", tmp_path / "p.npy", tmp_path / "q.npy", "--divergence", "kl",
                         "--bound", "nwj", "--steps", "150", "--seed", "0", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert abs(res["value"] - 0.5) < 0.2 and res["ci"][0] < res["value"] < res["ci"][1]
    assert err == ""                     # stderr is not a terminal: no progress display
    x = rng.normal(size=(2000, 2))
    y = 0.8 * x + 0.6 * rng.normal(size=(2000, 2))
    np.savetxt(tmp_path / "xy.csv", np.hstack([x, y]), delimiter=",")
    code, out, err = run("mi", tmp_path / "xy.csv", "--split", "2", "--steps", "150", "--seed",
                         "0", "--quiet")
    assert code == 0 and err == ""
    assert out.startswith("I(X;Y) ~= ") and "95% CI" in out
    value = float(out.split("~=")[1].split()[0])
    assert abs(value - (-math.log(1 - 0.64))) < 0.3
    one_line_error(run("mi", tmp_path / "xy.csv", "--split", "9"), "--split 9", "between 1 and 3")
    one_line_error(run("mi", tmp_path / "xy.csv", "--split", "0"), "--split", ">= 1")
    np.savetxt(tmp_path / "x1.csv", x[:, 0], delimiter=",")
    one_line_error(run("mi", tmp_path / "x1.csv", "--split", "1"), "1 column", "at least 2")
    one_line_error(run("estimate", tmp_path / "p.npy", tmp_path / "q.npy", "--divergence", "foo"),
                   "known names")
    one_line_error(run("estimate", tmp_path / "p.npy", tmp_path / "q.npy", "--steps", "0"),
                   "--steps", ">= 1")


def test_estimate_with_parameterised_f(run, tmp_path):
    rng = np.random.default_rng(1)
    np.save(tmp_path / "p.npy", rng.normal(size=(1000, 1)))
    np.save(tmp_path / "q.npy", rng.normal(1.0, 1.0, size=(1000, 1)))
    p, q = tmp_path / "p.npy", tmp_path / "q.npy"
    code, out, err = run("estimate", p, q, "--divergence", "alpha", "--alpha", "0.5", "--steps",
                         "50", "--seed", "0")
    assert code == 0, err
    assert out.startswith("D_alpha")
    code, out, err = run("estimate", p, q, "--divergence", "weighted_jensen_shannon", "--pi",
                         "0.3", "--steps", "50", "--seed", "0", "--json")
    assert code == 0, err
    assert json.loads(out)["quantity"].startswith("D_weighted_jensen_shannon")
    one_line_error(run("estimate", p, q, "--divergence", "alpha"), "alpha")
    one_line_error(run("estimate", p, q, "--divergence", "kl", "--alpha", "2"),
                   "--alpha is a parameter of the alpha divergence")
    one_line_error(run("estimate", p, q, "--divergence", "weighted_jensen_shannon", "--pi", "3"),
                   "pi")


def test_json_is_strict_when_the_stderr_is_infinite(run, tmp_path):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(600, 1))
    np.save(tmp_path / "xy.npy", np.hstack([x, x + rng.normal(size=(600, 1))]))
    # 600 pairs: 30 % (180) are held out, exactly one batch of the CLI's K = 128
    code, out, err = run("mi", tmp_path / "xy.npy", "--split", "1", "--steps", "20", "--seed", "0",
                         "--json")
    assert code == 0, err
    assert "Infinity" not in out and "NaN" not in out
    res = json.loads(out)
    assert res["stderr"] is None and res["ci"] == [None, None]
    assert "one held-out batch" in res["non_finite"]["stderr"]


def test_bench_command_round_trip(run, tmp_path):
    code, out, err = run("bench", "--trials", "2", "--steps", "10", "--n", "600", "--mi", "0.5",
                         "1", "--d", "2", "--estimators", "infonce", "smile:1", "--out",
                         tmp_path / "out")
    assert code == 0, err
    assert "| infonce |" in out and "| smile:1 |" in out
    with open(tmp_path / "out" / "bench.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and {r["estimator"] for r in rows} == {"infonce", "smile:1"}
    assert (tmp_path / "out" / "bench.png").stat().st_size > 10_000
    one_line_error(run("bench", "--estimators", "foo", "--trials", "2", "--out", tmp_path / "o2"),
                   "--estimators: unknown estimator 'foo'", "infonce")
    one_line_error(run("bench", "--estimators", "smile:x", "--out", tmp_path / "o2"),
                   "TAU must be a positive number")
    one_line_error(run("bench", "--estimators", "nwj:3", "--out", tmp_path / "o2"), "unknown")


@pytest.mark.parametrize("option, value, rule", [
    ("--n", "0", ">= 2"), ("--steps", "0", ">= 1"), ("--workers", "-2", ">= 1"),
    ("--trials", "1", ">= 2"), ("--d", "0", ">= 1"), ("--mi", "-1", "> 0"),
    ("--n", "ten", "integer")])
def test_bench_options_are_validated(run, tmp_path, option, value, rule):
    one_line_error(run("bench", option, value, "--out", tmp_path / "o"), option, rule)
    assert not (tmp_path / "o").exists()


def test_ctrl_c_is_one_line_and_status_130(run, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_cmd_table", interrupted)
    code, out, err = run("table")
    assert code == 130 and err.strip() == "divergences: interrupted"


def test_bench_runs_a_named_suite(run, tmp_path):
    code, out, err = run("bench", "--suite", "mi-beyond-normal", "--trials", "2", "--steps", "3",
                         "--n", "600", "--estimators", "infonce", "--out", tmp_path / "out")
    assert code == 0, err
    with open(tmp_path / "out" / "bench.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 14 and any("Student-t dof=1" in r["problem"] for r in rows)


def test_bench_runs_the_f_divergence_suite_with_classical_estimators(run, tmp_path):
    code, out, err = run("bench", "--suite", "f-divergence", "--trials", "2", "--steps", "3",
                         "--n", "300", "--estimators", "kl", "knn_kl", "--out", tmp_path / "o")
    assert code == 0, err
    with open(tmp_path / "o" / "bench.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 12 and {r["estimator"] for r in rows} == {"kl", "knn_kl"}
    gamma = [r for r in rows if r["problem"].startswith("Gamma")]
    assert float(gamma[0]["truth"]) == pytest.approx(0.0539675, abs=1e-6)
    # an MI estimator on the f-divergence suite, and knn_kl on an MI suite, are refused
    for args in (("--suite", "f-divergence", "--estimators", "infonce"),
                 ("--suite", "mi-beyond-normal", "--estimators", "knn_kl")):
        code, out, err = run("bench", *args, "--trials", "2", "--out", tmp_path / "x")
        assert code == 2 and "--estimators" in err
