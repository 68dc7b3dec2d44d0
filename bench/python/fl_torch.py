"""Case 3's PyTorch peer: the FL rounds of weft's simulator replayed in PyTorch.

weft writes the schedule (src/fl/sim/replay-plan.ts): the initial model in weft's layout, each round's sampled
clients and each client's minibatch order. This peer builds the same model (the FedAvg paper's MLP or CNN),
loads that start, trains every sampled client with plain SGD on exactly those batches, and averages the clients
weighted by their example counts (FedAvg), so only the kernels differ from weft's run.

Variants: "torch" trains the clients one after another in this process; "torch-processes" on a fork Pool of
WORKERS processes, the global model pickled to each client and its trained model pickled back.
Each process runs one thread (torch.set_num_threads(1)), as each weft worker does. The BLAS is the one the
dynamic loader found (the Node side picks it with LD_LIBRARY_PATH); the libraries mapped are read back from
/proc/self/maps and returned, so the Node side can check them.

A run times every round (training + aggregation) with time.perf_counter() and evaluates the global model on the
test set after it (timed apart), and returns {"ms": sum of the rounds, "rounds": [{"ms", "accuracy", "evalMs"}], ...}.
"""
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from common import start_processes

torch.set_num_threads(1)

# Set in setup before the pool forks, so the workers inherit them instead of receiving copies.
DATA = {}


def read_idx(path, header, limit):
    raw = np.fromfile(path, dtype=np.uint8)
    count = int.from_bytes(raw[4:8].tobytes(), "big")
    if limit > 0:
        count = min(count, limit)
    return raw[header:], count


def load_split(files, limit):
    labels, count = read_idx(files["labels"], 8, limit)
    pixels, _ = read_idx(files["images"], 16, limit)
    # byte / 255 in double, then rounded to float32: weft's src/fl/data/mnist.ts does the same.
    images = (pixels[: count * 784].astype(np.float64) / 255.0).astype(np.float32)
    return torch.from_numpy(images.reshape(count, 1, 28, 28)), torch.from_numpy(labels[:count].astype(np.int64))


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(784, 200), nn.Linear(200, 200), nn.Linear(200, 10)

    def forward(self, x):
        x = x.reshape(x.shape[0], 784)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 32, 5, padding=2), nn.Conv2d(32, 64, 5, padding=2)
        self.fc1, self.fc2 = nn.Linear(7 * 7 * 64, 512), nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


def torch_tensor(block, values):
    """One block of weft's flat vector in PyTorch's layout."""
    shape, name = block["shape"], block["name"]
    t = torch.from_numpy(values.copy())
    if name.endswith(".bias"):
        return t
    if len(shape) == 4:  # weft conv: [ky, kx, in, out] -> torch [out, in, ky, kx]
        return t.reshape(shape).permute(3, 2, 0, 1).contiguous()
    if name == "fc1.weight" and DATA["plan"]["model"] == "cnn":
        # weft flattens the pooled 7x7x64 map channel-last (pixel * 64 + channel), torch channel-first.
        return t.reshape(49, 64, shape[1]).permute(2, 1, 0).reshape(shape[1], shape[0]).contiguous()
    return t.reshape(shape).t().contiguous()  # weft dense: [in, out] -> torch [out, in]


def build_model(plan, init):
    model = Mlp() if plan["model"] == "mlp" else Cnn()
    state = {b["name"]: torch_tensor(b, init[b["offset"]: b["offset"] + b["size"]]) for b in plan["layout"]}
    model.load_state_dict(state)
    return model


def load_vector(model, vector):
    """Copies a flat vector into the model (vector_to_parameters would make the parameters views of it)."""
    flat = torch.as_tensor(vector)
    offset = 0
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(flat[offset: offset + p.numel()].view_as(p))
            offset += p.numel()


def as_vector(model):
    return torch.nn.utils.parameters_to_vector(model.parameters()).detach().clone()


def train_client(global_vector, client):
    """Local SGD over the client's batches in the plan's order; returns the trained model as a vector."""
    plan, model = DATA["plan"], DATA["model"]
    load_vector(model, global_vector)
    optimizer = torch.optim.SGD(model.parameters(), lr=plan["lr"], momentum=plan["momentum"], weight_decay=plan["weightDecay"])
    order = DATA["orders"][client["offset"]: client["offset"] + client["length"]]
    images, labels, batch = DATA["train_images"], DATA["train_labels"], plan["batchSize"]
    model.train()
    n = client["examples"]
    for epoch in range(plan["epochs"]):
        # Each epoch ends with its own partial batch, as weft's trainer does.
        for start in range(epoch * n, (epoch + 1) * n, batch):
            idx = order[start: min(start + batch, (epoch + 1) * n)]
            optimizer.zero_grad(set_to_none=True)
            F.cross_entropy(model(images[idx]), labels[idx]).backward()
            optimizer.step()
    return as_vector(model).numpy()


def train_remote(args):
    return train_client(*args)


def accuracy(model):
    """Share of the test set classified right (weft's evaluation also sums the loss; this one only takes argmax)."""
    images, labels = DATA["test_images"], DATA["test_labels"]
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(labels), 1000):
            correct += int((model(images[start: start + 1000]).argmax(1) == labels[start: start + 1000]).sum())
    return correct / len(labels)


def mapped_blas_libraries():
    """The BLAS and LAPACK libraries this process mapped, from /proc/self/maps; the Node side names the build
    (src/bench/python/blas.ts). They are load-time dependencies of libtorch_cpu, so importing torch mapped them."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "/" in line}
    except OSError:
        return []
    names = ("libblas.so", "liblapack.so", "libopenblas")
    return sorted(p for p in paths if os.path.basename(p).startswith(names))


def warm_up():
    """One training step and one evaluation, untimed and thrown away: oneDNN builds its kernels at first use, and
    the Node series get an untimed warm-up run too. Before the pool forks, so its workers inherit the result."""
    plan, model = DATA["plan"], DATA["model"]
    batch = DATA["orders"][: plan["batchSize"]]
    F.cross_entropy(model(DATA["train_images"][batch]), DATA["train_labels"][batch]).backward()
    model.zero_grad(set_to_none=True)
    with torch.no_grad():
        model.eval()
        model(DATA["test_images"][:1000])


class Series:
    def __init__(self, variant, workers, params):
        with open(params["plan"]) as f:
            plan = json.load(f)
        folder = os.path.dirname(params["plan"])
        DATA["plan"] = plan
        DATA["init"] = np.fromfile(os.path.join(folder, "init.f32"), dtype="<f4")
        DATA["orders"] = torch.from_numpy(np.fromfile(os.path.join(folder, "orders.u32"), dtype="<u4").astype(np.int64))
        DATA["train_images"], DATA["train_labels"] = load_split(plan["files"]["train"], plan["trainLimit"])
        DATA["test_images"], DATA["test_labels"] = load_split(plan["files"]["test"], plan["testLimit"])
        DATA["model"] = build_model(plan, DATA["init"])
        self.blas_libraries = mapped_blas_libraries()
        warm_up()
        if variant == "torch":
            self.pool = None
        elif variant == "torch-processes":
            self.pool = start_processes(workers)
        else:
            raise ValueError(f"fl_torch has no variant {variant}")

    def train_round(self, global_vector, clients):
        if self.pool is None:
            return [train_client(global_vector, c) for c in clients]
        return self.pool.map(train_remote, [(global_vector, c) for c in clients], chunksize=1)

    def run(self):
        plan, model = DATA["plan"], DATA["model"]
        global_vector = as_vector(build_model(plan, DATA["init"])).numpy()
        rounds = []
        for clients in plan["rounds"]:
            t0 = time.perf_counter()
            trained = self.train_round(global_vector, clients)
            total = torch.zeros(len(global_vector))
            for vector, client in zip(trained, clients):
                total += client["examples"] * torch.from_numpy(vector)
            global_vector = (total / sum(c["examples"] for c in clients)).numpy()
            ms = (time.perf_counter() - t0) * 1000
            t1 = time.perf_counter()
            load_vector(model, global_vector)
            rounds.append({"ms": ms, "accuracy": accuracy(model), "evalMs": (time.perf_counter() - t1) * 1000})
        return {
            "ms": sum(r["ms"] for r in rounds),
            "accuracy": rounds[-1]["accuracy"],
            "rounds": rounds,
            "blasLibraries": self.blas_libraries,
            "torch": torch.__version__,
        }

    def close(self):
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


def setup(variant, workers, params):
    return Series(variant, workers, params)


# Below: the command-line check that test/bench/fl-torch.test.ts runs, not part of the peer.
def compare(plan_path, weft_path):
    """Replays a plan and compares PyTorch's final model with weft's (a float32 file in weft's layout)."""
    series = Series("torch", 1, {"plan": plan_path})
    out = series.run()
    layout, init = DATA["plan"]["layout"], DATA["init"]
    weft = np.fromfile(weft_path, dtype="<f4")

    def torch_vector(values):
        return torch.cat([torch_tensor(b, values[b["offset"]: b["offset"] + b["size"]]).reshape(-1) for b in layout])

    ours, start = torch_vector(weft), torch_vector(init)
    theirs = as_vector(DATA["model"])
    return {
        "maxDiff": float((ours - theirs).abs().max()),
        "weftMoved": float((ours - start).abs().max()),
        "torchMoved": float((theirs - start).abs().max()),
        "accuracy": out["accuracy"],
    }


if __name__ == "__main__":
    import sys

    # python3 fl_torch.py PLAN.json WEFT.f32: how far PyTorch's replay ends from weft's model (test/bench/fl-torch.test.ts)
    print(json.dumps(compare(sys.argv[1], sys.argv[2])))
