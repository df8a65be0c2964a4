"""Which CV criterion picks the better lambda for the linear probe: log-loss or accuracy? (docs only)

Run with Debian's python3 from packages/harness:  /usr/bin/python3 scripts/probe_criterion_check.py
On scikit-learn's 8x8 digits (raw pixels, standardised with train statistics), for 8, 20 and 50
train items per class and 5 seeded splits each (1,000 test items), it chooses lambda from
1 ... 1e-4 by 3-fold CV (the folds of src/probe.ts) once by pooled CV log-loss (ties within 1e-4
relative to the larger lambda) and once by CV accuracy (ties to the larger lambda), and prints per
split (lambda by log-loss, its test accuracy, lambda by accuracy, its test accuracy, best test
accuracy over the grid). The count quoted in docs/ground-truth-and-agreement.md comes from this output.
"""
import numpy as np, warnings
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
warnings.simplefilter("ignore")
X,y=load_digits(return_X_y=True)
rng=np.random.default_rng(0)
GRID=[1,0.1,0.01,0.001,0.0001]
def folds_of(y):
    fold=np.zeros(len(y),int); seen={}
    for j,c in enumerate(y): fold[j]=seen.get(c,0)%3; seen[c]=seen.get(c,0)+1
    return fold
for per in [8,20,50]:
  res=[]
  for rep in range(5):
    idx=rng.permutation(len(y))
    tr=np.concatenate([idx[y[idx]==c][:per] for c in range(10)]); te=np.setdiff1d(idx,tr)[:1000]
    xtr,ytr,xte,yte=X[tr],y[tr],X[te],y[te]
    # random projection feature to mimic a model
    m,s=xtr.mean(0),xtr.std(0); xtr=(xtr-m)/(s+1e-8); xte=(xte-m)/(s+1e-8)
    fold=folds_of(ytr)
    ll={};acc={};testacc={}
    for lam in GRID:
        tot=0;hits=0
        for f in range(3):
            mdl=LogisticRegression(C=1/(lam*(fold!=f).sum()),max_iter=5000,tol=1e-8).fit(xtr[fold!=f],ytr[fold!=f])
            tot+=log_loss(ytr[fold==f],mdl.predict_proba(xtr[fold==f]),labels=range(10),normalize=False); hits+=(mdl.predict(xtr[fold==f])==ytr[fold==f]).sum()
        ll[lam]=tot/len(ytr); acc[lam]=hits
        testacc[lam]=(LogisticRegression(C=1/(lam*len(ytr)),max_iter=5000,tol=1e-8).fit(xtr,ytr).predict(xte)==yte).mean()
    b=min(ll.values()); lam_ll=max(l for l in GRID if ll[l]<=b*(1+1e-4))
    ba=max(acc.values()); lam_acc=max(l for l in GRID if acc[l]==ba)
    res.append((lam_ll,testacc[lam_ll],lam_acc,testacc[lam_acc],max(testacc.values())))
  print(per,res)
