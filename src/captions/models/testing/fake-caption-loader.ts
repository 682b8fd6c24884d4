import { ModelLoader, ModelSpec } from '../../../resources/model-pool/model-pool.types';
import { FakeLoader } from '../../../resources/model-pool/testing/fake-model-loader';
import { CaptionModel, CaptionRequest, CaptionResult } from '../caption-model.types';

/**
 * A caption loader over the model pool's FakeLoader (its delays, sizes and failures, set with
 * `fake.set(name, ...)`): each model answers `<model name>: <content_description>`, no hashtags.
 */
export class FakeCaptionLoader implements ModelLoader<CaptionModel> {
  constructor(readonly fake = new FakeLoader()) {}

  async load(spec: ModelSpec, signal: AbortSignal): Promise<CaptionModel> {
    const model = await this.fake.load(spec, signal);
    return {
      memoryMb: model.memoryMb,
      unload: () => model.unload(),
      generate: async (request: CaptionRequest): Promise<CaptionResult> => ({
        caption: `${spec.name}: ${request.content_description}`,
        hashtags: [],
      }),
    };
  }
}

export const CAPTION_REQUEST: CaptionRequest = {
  content_description: 'a test',
  style: 'casual',
  hashtag_count: 0,
  language: 'en',
  max_length: 100,
};
