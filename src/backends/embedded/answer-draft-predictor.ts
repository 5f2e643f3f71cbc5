/**
 * node-llama-cpp's `DraftSequenceTokenPredictor` with the answer grammar kept in the draft. In 3.21.1 it
 * applies the tokens the draft still has to evaluate to a clone of the target's grammar state before drafting,
 * but that state already holds them: the target accepts each token into its grammar state before handing it
 * on, and right after a reset the pending token is the prompt's last, which the answer grammar never sees.
 * The clone then refuses the token, the draft drops the grammar ("The pushed tokens are incompatible with the
 * grammar evaluation state", on the console) and drafts tokens the target's grammar refuses.
 *
 * The target's state is always current, so its clone, unchanged, is the draft's starting state. The override
 * is of an internal method of the exactly pinned package; a test fails if the draft loses the grammar again.
 */
import type * as NodeLlamaCppModule from "node-llama-cpp";

type NodeLlamaCpp = typeof NodeLlamaCppModule;
type DraftPredictorClass = NodeLlamaCpp["DraftSequenceTokenPredictor"];

const classes = new WeakMap<DraftPredictorClass, DraftPredictorClass>();

interface GrammarStateHolder {
  _grammarEvaluationStateOption?: { clone(): unknown } | undefined;
}

/** The draft predictor class of `library`, keeping the target's grammar in the draft. */
export function answerDraftPredictor(library: NodeLlamaCpp): DraftPredictorClass {
  const base = library.DraftSequenceTokenPredictor;
  let derived = classes.get(base);
  if (derived === undefined) {
    derived = class AnswerDraftPredictor extends base {
      /** Overrides node-llama-cpp's internal method of the same name (see the module comment). */
      _getGrammarEvaluationStateWithTokens(): unknown {
        return (this as unknown as GrammarStateHolder)._grammarEvaluationStateOption?.clone();
      }
    };
    classes.set(base, derived);
  }
  return derived;
}
