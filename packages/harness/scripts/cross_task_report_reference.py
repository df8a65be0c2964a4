"""Independent reference numbers for the report's crossTask section (src/report/cross-task-section.ts).

Run once with Debian's python3 from packages/harness:  /usr/bin/python3 scripts/cross_task_report_reference.py
Writes src/test-data/cross-task-report-reference.json:
- "tasks": four seeded tasks of six models, each with a linear-probe ground truth (the mean of 40 per-item
  0/1 results, kept as the report's "0"/"1" strings), five scores ("lowish" ranks lower-is-better), LogME on
  the F-labels, two static baselines, the alternatives of the rank preset (reduce "none" for every score,
  LogME's fixed-point variant) and EMMS/LogME seconds;
- "expected", computed here with scipy and numpy only:
  - weightedTau[task][ranking]: scipy.stats.weightedtau(sign * values, truth).statistic;
  - the held-out ensemble: for each task, greedy forward selection on the other tasks (add the candidate
    that most raises the mean weighted tau of the mean-rank ensemble, ties to the first listed, stop when
    nothing raises it by more than 1e-12), the ensemble's value of a model minus its mean rank
    (scipy.stats.rankdata, rank 1 = predicted best), and its weighted tau on the held-out task;
  - meanWeightedTau and averageRank (scipy.stats.rankdata of minus each task's row) of every ranking;
  - the Friedman test over all rankings (scipy.stats.friedmanchisquare) and the Nemenyi critical difference
    (scipy.stats.studentized_range.ppf(0.95, k, inf) / sqrt(2) * sqrt(k (k + 1) / (6 N)));
  - per tuned choice, leave-one-task-out: the option with the best mean tau on the other tasks (ties to
    the preset's option) and its tau on the held-out task; the reduce choice's tau is the mean over the
    scores computed under both options;
  - EMMS against LogME on the F-labels: mean taus, the gain in percent of LogME's, the speed-up as the
    ratio of summed seconds.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(18)
MODELS = [f"m{i}" for i in range(6)]
SCORES = ["emms", "logme", "sfda", "lowish"]
ITEMS = 40


def values(truth, noise, sign=1):
    return {m: float(sign * t + rng.normal(0, noise)) for m, t in zip(MODELS, truth)}


tasks = []
for t in range(4):
    acc = rng.uniform(0.3, 0.95, 6)
    correct = (rng.random((6, ITEMS)) < acc[:, None]).astype(int)
    truth = correct.mean(axis=1)
    scores = {
        "emms": {"values": values(truth, 0.05), "higherIsBetter": True},
        "logme": {"values": values(truth, 0.15), "higherIsBetter": True},
        "sfda": {"values": values(truth, 0.1), "higherIsBetter": True},
        "lowish": {"values": values(truth, 0.12, -1), "higherIsBetter": False},
        "logme-flabels": {"values": values(truth, 0.2), "higherIsBetter": True},
    }
    tasks.append({
        "id": f"task{t}",
        "truth": dict(zip(MODELS, truth.tolist())),
        "correct": {m: "".join(map(str, row)) for m, row in zip(MODELS, correct)},
        "scores": scores,
        "baselines": {
            "file-size": {m: float(v) for m, v in zip(MODELS, rng.integers(1000, 10**6, 6))},
            "feature-dim": {m: float(v) for m, v in zip(MODELS, rng.choice([64, 128, 256, 512, 1024, 2048], 6))},
        },
        "alternatives": {
            "reduce=none": {"choice": "reduce", "option": "none", "current": "auto",
                            "scores": {s: values(truth, 0.18 if t % 2 else 0.02,
                                                 -1 if s == "lowish" else 1) for s in SCORES}},
            "logme-variant=fixed-point": {"choice": "logme-variant", "option": "fixed-point", "current": "corrected",
                                          "scores": {"logme": values(truth, 0.3)}},
        },
        "speed": {"emmsSeconds": float(rng.uniform(0.1, 0.5)), "logmeSeconds": float(rng.uniform(1, 3))},
    })


def wtau(vals, truth, hib=True):
    s = 1 if hib else -1
    x = np.array([s * vals[m] for m in MODELS])
    y = np.array([truth[m] for m in MODELS])
    return float(stats.weightedtau(x, y).statistic)


rankings = {}  # ranking id -> (higherIsBetter, kind)
for s, v in tasks[0]["scores"].items():
    rankings[s] = (v["higherIsBetter"], "score")
for b in tasks[0]["baselines"]:
    rankings[b] = (True, "baseline")

tau = {}
for t in tasks:
    row = {s: wtau(v["values"], t["truth"], v["higherIsBetter"]) for s, v in t["scores"].items()}
    row.update({b: wtau(v, t["truth"]) for b, v in t["baselines"].items()})
    tau[t["id"]] = row


def ensemble_values(task, members):
    total = np.zeros(len(MODELS))
    for m in members:
        v = task["scores"][m]
        sign = -1 if v["higherIsBetter"] else 1
        total += stats.rankdata([sign * v["values"][x] for x in MODELS])
    return {x: float(-total[i] / len(members)) for i, x in enumerate(MODELS)}


def ensemble_tau(task, members):
    return wtau(ensemble_values(task, members), task["truth"])


candidates = [s for s in tasks[0]["scores"] if s != "logme-flabels"]
ensemble = []
for held in tasks:
    others = [t for t in tasks if t is not held]
    members, current = [], -np.inf
    while True:
        best, best_tau = None, current
        for c in candidates:
            if c in members:
                continue
            v = np.mean([ensemble_tau(t, members + [c]) for t in others])
            if v > best_tau + 1e-12:
                best, best_tau = c, v
        if best is None:
            break
        members.append(best)
        current = best_tau
    e_tau = ensemble_tau(held, members)
    ensemble.append({"task": held["id"], "members": members, "weightedTau": e_tau})
    tau[held["id"]]["ensemble"] = e_tau

ids = list(tau[tasks[0]["id"]].keys())
table = np.array([[tau[t["id"]][r] for r in ids] for t in tasks])
chi2, p = stats.friedmanchisquare(*table.T)
ranks = np.array([stats.rankdata(-row) for row in table])
k, n = len(ids), len(tasks)
q = float(stats.studentized_range.ppf(0.95, k, np.inf) / np.sqrt(2))


def loto(tab, current):
    task_ids = list(tab.keys())
    options = [current] + [o for o in tab[task_ids[0]] if o != current]
    out = []
    for held in task_ids:
        others = [t for t in task_ids if t != held]
        train = [np.mean([tab[t][o] for t in others]) for o in options]
        c = int(np.argmax(train))  # the first maximum: the preset's option on a tie
        out.append({"task": held, "chosen": options[c], "trainTau": float(train[c]),
                    "heldOutTau": float(tab[held][options[c]])})
    return out


choices = {}
for alt in tasks[0]["alternatives"].values():
    tab = {}
    for t in tasks:
        a = t["alternatives"][[key for key, v in t["alternatives"].items() if v["choice"] == alt["choice"]][0]]
        now = [wtau(t["scores"][s]["values"], t["truth"], t["scores"][s]["higherIsBetter"]) for s in a["scores"]]
        then = [wtau(a["scores"][s], t["truth"], t["scores"][s]["higherIsBetter"]) for s in a["scores"]]
        tab[t["id"]] = {alt["current"]: float(np.mean(now)), alt["option"]: float(np.mean(then))}
    choices[alt["choice"]] = loto(tab, alt["current"])

emms = np.mean([tau[t["id"]]["emms"] for t in tasks])
logme = np.mean([tau[t["id"]]["logme-flabels"] for t in tasks])
versus = {"emmsTau": float(emms), "logmeTau": float(logme), "gainPercent": float(100 * (emms - logme) / abs(logme)),
          "speedup": float(sum(t["speed"]["logmeSeconds"] for t in tasks) / sum(t["speed"]["emmsSeconds"] for t in tasks))}

expected = {
    "weightedTau": tau,
    "ensemble": ensemble,
    "meanWeightedTau": {r: float(table[:, j].mean()) for j, r in enumerate(ids)},
    "averageRank": {r: float(ranks[:, j].mean()) for j, r in enumerate(ids)},
    "friedman": {"chiSquare": float(chi2), "pValue": float(p), "df": k - 1},
    "criticalDifference": q * float(np.sqrt(k * (k + 1) / (6 * n))),
    "heldOut": choices,
    "emmsVsLogme": versus,
}
out = {"generator": "scripts/cross_task_report_reference.py", "scipy": scipy.__version__, "numpy": np.__version__,
       "models": MODELS, "tasks": tasks, "expected": expected}
target = os.path.join(here, "..", "src", "test-data", "cross-task-report-reference.json")
with open(target + ".tmp", "w") as fh:
    json.dump(out, fh, indent=1)
os.replace(target + ".tmp", target)
print(json.dumps({"friedman": expected["friedman"], "cd": expected["criticalDifference"],
                  "ensemble": ensemble, "heldOut": choices, "versus": versus}, indent=1))
