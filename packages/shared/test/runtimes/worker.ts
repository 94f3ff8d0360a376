// The same vectors as a Cloudflare Worker: esbuild bundles this file with workerd's import
// conditions and test/runtimes.test.ts runs it in workerd through miniflare.
import { runVectors } from '../vectors.ts'

export default {
  async fetch(): Promise<Response> {
    return Response.json(await runVectors())
  },
}
