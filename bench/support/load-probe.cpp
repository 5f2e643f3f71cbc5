// cmdai-load-probe: how the way llama.cpp loads a model changes the load and the speed after it, for the load
// choices node-llama-cpp does not expose (weight repacking) beside those it does (mapped or read weights).
// Built next to llama-bench by `npm run bench:llama-bench`, from the same llama.cpp source and flags; run by
// bench/load-modes.ts. One load per process, so each run pays the load a fresh cmdai process pays.
//
//   cmdai-load-probe MODEL THREADS REPACK(0|1) MMAP(0|1) PROMPT_TOKENS GENERATED_TOKENS
//
// Prints one JSON object: load_ms, context_ms, prompt_tps, generation_tps (best of two runs each, random
// tokens as llama-bench uses), peak_rss_mib.
#include "ggml-backend.h"
#include "llama.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

static double now_ms() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double, std::milli>(clock::now().time_since_epoch()).count();
}

int main(int argc, char ** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s MODEL THREADS REPACK(0|1) MMAP(0|1) PROMPT_TOKENS GENERATED_TOKENS\n", argv[0]);
        return 2;
    }
    const char * model_path = argv[1];
    const int threads = std::atoi(argv[2]);
    const bool repack = std::atoi(argv[3]) != 0;
    const bool mmap = std::atoi(argv[4]) != 0;
    const int n_prompt = std::atoi(argv[5]);
    const int n_gen = std::atoi(argv[6]);

    llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    // node-llama-cpp's prebuilt ggml loads its CPU variant at run time (a no-op in a static build).
    ggml_backend_load_all();
    llama_backend_init();

    llama_model_params model_params = llama_model_default_params();
    model_params.n_gpu_layers = 0;
    model_params.use_extra_bufts = repack;
    model_params.load_mode = mmap ? LLAMA_LOAD_MODE_MMAP : LLAMA_LOAD_MODE_NONE;
    const double load_started = now_ms();
    llama_model * model = llama_model_load_from_file(model_path, model_params);
    const double load_ms = now_ms() - load_started;
    if (model == nullptr) {
        std::fprintf(stderr, "could not load %s\n", model_path);
        return 1;
    }

    llama_context_params context_params = llama_context_default_params();
    context_params.n_ctx = 1024;
    context_params.n_batch = std::max(n_prompt, 1);
    context_params.n_ubatch = std::max(n_prompt, 1);
    context_params.n_threads = threads;
    context_params.n_threads_batch = threads;
    const double context_started = now_ms();
    llama_context * context = llama_init_from_model(model, context_params);
    const double context_ms = now_ms() - context_started;
    if (context == nullptr) {
        std::fprintf(stderr, "could not create a context\n");
        return 1;
    }

    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    std::mt19937 random(1);
    std::uniform_int_distribution<llama_token> any_token(0, n_vocab - 1);
    double best_prompt_ms = 1e300;
    double best_generation_ms = 1e300;
    for (int round = 0; round < 2; round++) {
        llama_memory_clear(llama_get_memory(context), true);
        std::vector<llama_token> prompt(n_prompt);
        for (auto & token : prompt) token = any_token(random);
        const double prompt_started = now_ms();
        if (llama_decode(context, llama_batch_get_one(prompt.data(), n_prompt)) != 0) return 1;
        llama_synchronize(context);
        best_prompt_ms = std::min(best_prompt_ms, now_ms() - prompt_started);
        const double generation_started = now_ms();
        for (int index = 0; index < n_gen; index++) {
            llama_token token = any_token(random);
            if (llama_decode(context, llama_batch_get_one(&token, 1)) != 0) return 1;
        }
        llama_synchronize(context);
        best_generation_ms = std::min(best_generation_ms, now_ms() - generation_started);
    }

    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "{\"load_ms\":%.1f,\"context_ms\":%.1f,\"prompt_tps\":%.2f,\"generation_tps\":%.2f,\"peak_rss_mib\":%.0f}\n",
        load_ms, context_ms, n_prompt / (best_prompt_ms / 1000), n_gen / (best_generation_ms / 1000),
        usage.ru_maxrss / 1024.0);
    llama_free(context);
    llama_model_free(model);
    llama_backend_free();
    return 0;
}
