import { Analyzer, Deidentifier } from '@strongroom/detect';
import { type Engine, installedVersion, openRedactionEngine, redactPiiEngine, redactPiiNodeEngine } from './peers.js';
import type { PredSpan } from './scorer.js';

/** Our engine, as the benchmark drives it. */
export function strongroomEngine(): Engine {
  const analyzer = new Analyzer();
  const deidentifier = new Deidentifier(analyzer);
  const t0 = performance.now();
  analyzer.warmUp();
  const warmMs = performance.now() - t0;
  return {
    name: '@strongroom/detect',
    version: installedVersion('@strongroom/detect'),
    config: `Deidentifier.deidentifySync({ text }): default options (all entity types, entity_unq_counter tokens); gazetteers loaded in ${warmMs.toFixed(0)} ms before timing`,
    async detect(text) {
      return analyzer.analyze(text).entities.map((e): PredSpan => ({ start: e.start, end: e.end, type: e.entityType }));
    },
    // What a caller without vault tokens uses (the async form only adds the tokenizer round trip).
    redact: (text) => deidentifier.deidentifySync({ text }),
  };
}

/** Detection only (no replacement, no response), for the speed figures. */
export function strongroomAnalyzeOnly(): Engine {
  const analyzer = new Analyzer();
  analyzer.warmUp();
  return {
    name: '@strongroom/detect (analyze only)',
    version: installedVersion('@strongroom/detect'),
    config: 'Analyzer.analyze(text)',
    async detect(text) {
      return analyzer.analyze(text).entities.map((e): PredSpan => ({ start: e.start, end: e.end, type: e.entityType }));
    },
    redact: (text) => analyzer.analyze(text),
  };
}

/** Every engine the benchmark knows, by name. */
export const ENGINE_FACTORIES: Readonly<Record<string, () => Engine>> = {
  '@strongroom/detect': strongroomEngine,
  'redact-pii': redactPiiEngine,
  openredaction: openRedactionEngine,
  '@redactpii/node': redactPiiNodeEngine,
  '@strongroom/detect (analyze only)': strongroomAnalyzeOnly,
};
