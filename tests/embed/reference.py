"""The reference embedder the Rust one is checked against (tests/embed.rs, benches/embed.sh).

Reads {"model_dir", "kind": "query"|"passage", "texts": [...]} as JSON on stdin and writes
{"vectors": [[...], ...]} on stdout: the model's tokenizer.json through Hugging Face `tokenizers`,
the network through Python `onnxruntime`, pooling and normalisation in numpy, following the
model cards (e5: mean over the attention mask; bge: the [CLS] vector), as model.json says.
Needs: python3 -m pip install onnxruntime tokenizers numpy
"""

import json
import os
import sys

import numpy as np
import onnxruntime
from tokenizers import Tokenizer


def main():
    request = json.load(sys.stdin)
    model_dir = request["model_dir"]
    with open(os.path.join(model_dir, "model.json")) as f:
        config = json.load(f)
    prefix = config["query_prefix"] if request["kind"] == "query" else config["passage_prefix"]
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.enable_truncation(max_length=config["max_tokens"])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(request.get("threads", 1))
    session = onnxruntime.InferenceSession(
        os.path.join(model_dir, "model.onnx"), options, providers=["CPUExecutionProvider"]
    )
    wanted = {i.name for i in session.get_inputs()}
    vectors = []
    # One text at a time: the reference is padding-free, whatever the Rust side batches.
    for text in request["texts"]:
        encoding = tokenizer.encode_batch([prefix + text])[0]
        feeds = {
            "input_ids": np.array([encoding.ids], dtype=np.int64),
            "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
            "token_type_ids": np.array([encoding.type_ids], dtype=np.int64),
        }
        hidden = session.run(None, {k: v for k, v in feeds.items() if k in wanted})[0][0]
        if config["pooling"] == "cls":
            pooled = hidden[0]
        else:
            mask = feeds["attention_mask"][0][:, None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=0) / np.clip(mask.sum(), 1e-9, None)
        vectors.append((pooled / np.linalg.norm(pooled)).tolist())
    json.dump({"vectors": vectors}, sys.stdout)


if __name__ == "__main__":
    main()
