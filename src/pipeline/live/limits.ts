/**
 * How much one file may cost. A hostile upload must not stall or starve the API, so every
 * unbounded thing (inflating, nesting, looping, wall-clock time) has a ceiling here.
 */
export const limits = {
  /** Wall-clock budget for one extraction, spawn included; the worker thread is terminated after it. */
  timeBudgetMs: 10_000,
  /**
   * V8 heap ceilings of an extraction worker thread (the parsed XML tree and PDF objects live
   * there). A dense 20 MiB UBL invoice (24,000 lines) needs between 128 and 192 MB.
   */
  maxOldGenerationSizeMb: 256,
  maxYoungGenerationSizeMb: 32,
  stackSizeMb: 4,
  /** Largest file the engine reads at all (the upload limit is normally lower). */
  maxFileBytes: 64 * 1024 * 1024,
  /** Largest XML document parsed, standalone or embedded. */
  maxXmlBytes: 20 * 1024 * 1024,
  /**
   * Inflated bytes: per PDF stream and per document. Typed arrays live outside the V8 heap, which
   * the worker's resourceLimits do not cap, so these are the real bound on decompression bombs.
   */
  maxDecodedStreamBytes: 32 * 1024 * 1024,
  maxDecodedBytesPerDocument: 96 * 1024 * 1024,
  /** Nesting of XML elements and of PDF arrays and dictionaries. */
  maxXmlDepth: 64,
  maxPdfDepth: 48,
  /** PDF objects resolved per document, and name-tree nodes and attachments visited. */
  maxPdfObjects: 20_000,
  maxNameTreeNodes: 2_000,
  maxAttachments: 200,
  /** Cross-reference sections followed through /Prev (incremental updates). */
  maxXrefSections: 64,
};

export type Limits = typeof limits;
