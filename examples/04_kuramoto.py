# %% [markdown]
# # Kuramoto oscillators: the onset of synchrony
#
# In the Kuramoto model every node is reduced to a phase `theta` (rad) that advances with its own natural
# angular frequency `omega` (rad/ms) and is pulled towards the phases of the nodes it is connected to:
#
# $$\dot\theta_n = \omega_n + \frac{k}{N} \sum_m C_{nm} \sin(\theta_m(t - d_{nm}) - \theta_n(t)) + \text{noise}$$
#
# With all-to-all coupling and frequencies drawn from a normal distribution with standard deviation $\sigma$,
# the population starts to synchronise at the critical coupling $k_c = 2 / (\pi g(0)) = \sqrt{8/\pi}\,\sigma$,
# where $g$ is the density of the frequencies. We check this with `run_batch`, then repeat the sweep on the
# `gw` connectome, with conduction delays.

# %%
import matplotlib.pyplot as plt
import numpy as np

from neurolib.models.kuramoto import KuramotoModel
from neurolib.utils.devutils import save_figure, short
from neurolib.utils.loadData import Dataset


def order_parameter(theta):
    """Kuramoto order parameter R(t) = |mean_n exp(i theta_n(t))| of phases (nodes x time): 1 = in phase."""
    return np.abs(np.exp(1j * theta).mean(axis=0))


# %% [markdown]
# ## All-to-all coupling
#
# A coupling matrix of ones and a length matrix of zeros make every node see every other one without delay.
# The natural frequencies are drawn around 10 Hz with a spread of 2 Hz, converted to rad/ms.

# %%
N = 50
rng = np.random.default_rng(0)
sigma = 2 * np.pi * 2.0 / 1000  # rad/ms: a spread of 2 Hz
model = KuramotoModel(Cmat=np.ones((N, N)), Dmat=np.zeros((N, N)), seed=0)
model.params["omega"] = rng.normal(2 * np.pi * 10.0 / 1000, sigma, N)  # rad/ms
model.params["duration"] = short(5000, 2000)  # ms
k_c = np.sqrt(8 / np.pi) * sigma
print(f"critical coupling k_c = {k_c:.4f} rad/ms")

fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
for k in (0.5 * k_c, 1.5 * k_c, 3 * k_c):
    model.params["k"] = k
    model.run()
    axes[0].plot(model.t, order_parameter(model.theta), label=f"k = {k / k_c:.1f} k_c")
axes[0].set_xlabel("time (ms)")
axes[0].set_ylabel("order parameter R")
axes[0].legend()
axes[1].plot(model.t[-5000:], np.sin(model.theta[:10, -5000:]).T, lw=0.8)
axes[1].set_xlabel("time (ms)")
axes[1].set_ylabel("sin(theta)")
axes[1].set_title("ten nodes at k = 3 k_c")
fig.tight_layout()
save_figure(fig, "order-parameter")

# %% [markdown]
# ## Sweeping the coupling
#
# `run_batch` takes one dictionary of parameter changes per run. Its `evaluate` function reduces each run to the
# time-averaged order parameter of the second half, so only one number per run is kept.


# %%
def late_synchrony(outputs, params):
    theta = outputs["theta"]
    return order_parameter(theta[:, theta.shape[1] // 2 :]).mean()


couplings = np.linspace(0, 4 * k_c, short(17, 6))
synchrony = model.run_batch([{"k": k} for k in couplings], outputs=["theta"], evaluate=late_synchrony, threads=2)

fig, ax = plt.subplots(figsize=(5, 3.2))
ax.plot(couplings, synchrony, "o-", label="simulation")
ax.axvline(k_c, color="k", ls="--", label="k_c (infinite N)")
ax.set_xlabel("coupling k (rad/ms)")
ax.set_ylabel("mean R")
ax.legend()
save_figure(fig, "transition")

# %% [markdown]
# Below $k_c$ the order parameter stays at the level expected from chance for 50 random phases
# (about $1/\sqrt{N}$); above it, it rises steeply towards 1.
#
# ## On the connectome
#
# With the `gw` connectome the coupling weights are the normalised fibre counts, and the phases arrive with a
# delay of fibre length / `signalV` (mm / (mm/ms) = ms). Delays are rounded to whole integration steps.

# %%
ds = Dataset("gw")
brain = KuramotoModel(Cmat=ds.Cmat, Dmat=ds.Dmat, seed=0)
brain.params["omega"] = rng.normal(2 * np.pi * 10.0 / 1000, 2 * np.pi * 1.0 / 1000, len(ds.Cmat))  # rad/ms
brain.params["signalV"] = 20.0  # mm/ms
brain.params["duration"] = short(5000, 2000)  # ms
brain_couplings = short([0.0, 0.5, 1.0, 2.0, 5.0, 10.0], [0.0, 1.0, 5.0])
brain_sync = brain.run_batch([{"k": k} for k in brain_couplings], outputs=["theta"], evaluate=late_synchrony)
for k, r in zip(brain_couplings, brain_sync):
    print(f"k = {k:4.1f} rad/ms: mean R = {r:.2f}")
