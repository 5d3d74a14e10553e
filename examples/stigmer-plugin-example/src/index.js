// @ts-check
/**
 * stigmer-plugin-example: runs the agent-runner from an image you already
 * have under another name (a company build, a CI artifact), after checking
 * that it is what it claims to be. Written in plain JavaScript with JSDoc
 * types so it needs no build step; `npm run check` type-checks it against
 * `@stigmer/core`'s plugin types.
 *
 * It imports nothing from `@stigmer/core` at run time: the CLI that loads
 * it brings core along, so the plugin works wherever it is installed.
 */

/**
 * @typedef {object} ExampleOptions
 * @property {string} image The image to run, e.g. `acme/agent-runner:2026.01`.
 * @property {string} [requireLabel] A label the image must carry (`org.acme.approved`); default none.
 */

const VERSION = '1.0.0';

/**
 * The options schema, written by hand as a Standard Schema
 * (https://standardschema.dev): zod, valibot or arktype would do as well.
 * @type {import('@stigmer/core').OptionsSchema<ExampleOptions>}
 */
const optionsSchema = {
  '~standard': {
    version: 1,
    vendor: 'stigmer-plugin-example',
    validate(value) {
      const given = /** @type {Record<string, unknown>} */ (value ?? {});
      /** @type {{ message: string, path: string[] }[]} */
      const issues = [];
      for (const key of Object.keys(given)) {
        if (key !== 'image' && key !== 'requireLabel')
          issues.push({ message: 'unknown option', path: [key] });
      }
      if (typeof given.image !== 'string' || given.image === '') {
        issues.push({
          message: 'expected an image reference such as acme/agent-runner:1.0',
          path: ['image'],
        });
      }
      if (given.requireLabel !== undefined && typeof given.requireLabel !== 'string') {
        issues.push({ message: 'expected a label name', path: ['requireLabel'] });
      }
      if (issues.length > 0) return { issues };
      return { value: /** @type {ExampleOptions} */ (given) };
    },
  },
};

/**
 * The plugin factory: what a `.stigmerrc` entry `[example, { image: ... }]` loads.
 * @returns {import('@stigmer/core').StigmerPlugin<ExampleOptions>}
 */
export default function examplePlugin() {
  return {
    name: 'example',
    version: VERSION,
    // The plugin API this plugin is written for (major.minor): a plain object
    // says so itself (definePlugin would fill it in). Hosts of API 1.0 and
    // every later 1.x load it; another major refuses it, naming both versions.
    apiVersion: '1.0',
    optionsSchema,
    apply(hooks, options) {
      hooks.resolveImage.tap(async (request, ctx) => {
        const image = await ctx.engine.inspectImage(options.image);
        if (!image) {
          // Say why you passed: --explain shows it, and later plugins read it.
          ctx.note(`${options.image} is not in the local engine`, { reference: options.image });
          return undefined;
        }
        if (options.requireLabel && !(options.requireLabel in image.labels)) {
          ctx.note(`${options.image} lacks the label ${options.requireLabel}`, { reference: options.image });
          return undefined;
        }
        // Run it under the canonical local name, as every resolver does.
        await ctx.engine.tag(image.id, request.localTag);
        ctx.note(`${options.image} tagged as ${request.localTag}`, { reference: options.image });
        return {
          reference: request.localTag,
          id: image.id,
          platform: image.platform,
          source: `example plugin (${options.image})`,
          labels: image.labels,
        };
      });

      hooks.unresolved.tap((report) => {
        const mine = report.attempts.find((attempt) => attempt.plugin === 'example');
        if (!mine) return undefined;
        return `The example plugin looked for ${options.image}: build or load it, e.g. \`docker load -i agent-runner.tar\`.`;
      });
    },
  };
}
