"""Python's side of benches/embed.rs: the same model, texts, threads and batch size, through
onnxruntime and Hugging Face tokenizers, timed from the first text to the last vector (loading
the model is not timed, as on the Rust side), with onnxruntime's default thread spinning or,
as the Rust embedder runs, without.

Reads {"model_dir", "texts", "threads", "batch_size", "spinning"} as JSON on stdin; writes
{"seconds", "vectors"} on stdout. Batches are length-sorted and padded to their longest text,
as the Rust embedder batches them.
"""

import json
import os
import sys
import time

import numpy as np
import onnxruntime
from tokenizers import Tokenizer


def main():
    request = json.load(sys.stdin)
    model_dir = request["model_dir"]
    with open(os.path.join(model_dir, "model.json")) as f:
        config = json.load(f)
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.enable_truncation(max_length=config["max_tokens"])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(request["threads"])
    options.inter_op_num_threads = 1
    if not request.get("spinning", True):
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = onnxruntime.InferenceSession(
        os.path.join(model_dir, "model.onnx"), options, providers=["CPUExecutionProvider"]
    )
    wanted = {i.name for i in session.get_inputs()}
    texts = [config["passage_prefix"] + t for t in request["texts"]]
    batch_size = int(request["batch_size"])

    start = time.perf_counter()
    encodings = tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    vectors = [None] * len(texts)
    for at in range(0, len(order), batch_size):
        rows = order[at : at + batch_size]
        seq = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), seq), dtype=np.int64)
        mask = np.zeros((len(rows), seq), dtype=np.int64)
        for r, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[r, :n] = encodings[i].ids
            mask[r, :n] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0]
        if config["pooling"] == "cls":
            pooled = hidden[:, 0]
        else:
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True)
        for r, i in enumerate(rows):
            vectors[i] = pooled[r].tolist()
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "vectors": vectors}, sys.stdout)


if __name__ == "__main__":
    main()
