/**
 * What each command's `--help` teaches besides its options: examples to copy
 * and the environment variables it reads. Plain strings, so building the
 * command tree costs nothing more at start-up.
 */
export interface CommandHelp {
  examples: readonly string[];
  /** Variable name and what it does, one line each. */
  env?: readonly (readonly [string, string])[];
}

const ENGINE_ENV = [
  ['DOCKER_HOST', 'the Docker engine to use (then DOCKER_CONTEXT, then discovery)'],
  ['DOCKER_CONTEXT', 'a docker context naming the engine'],
  ['STIGMER_ENGINE_HOST', 'an engine address that beats DOCKER_HOST (engine.host)'],
] as const;

const CONFIG_ENV = [
  ['STIGMER_TIMEOUT_<HOOK>', 'per-hook time limit, e.g. STIGMER_TIMEOUT_RESOLVE_IMAGE=45m'],
] as const;

const RESOLVE_ENV = [
  ['STIGMER_LOCAL_TAG', 'the local image name (image.localTag)'],
  ['STIGMER_PLATFORM', 'like --platform (image.platform)'],
  ['STIGMER_PULL_POLICY', 'like --pull (image.pullPolicy)'],
  ['STIGMER_OFFLINE', 'like --offline when true'],
  ['STIGMER_BUILD', 'like --build when true (the build setting)'],
  ['STIGMER_PULL_RETRIES', 'retries after the first pull (pull.retries)'],
  ['STIGMER_PULL_RETRY_DELAY', 'first backoff between retries (pull.retryDelay)'],
  ['STIGMER_PULL_STALL_TIMEOUT', 'no progress for this long retries the pull (pull.stallTimeout)'],
  ['GHCR_TOKEN, GITHUB_TOKEN', 'a token for ghcr.io'],
  ['DOCKER_AUTH_CONFIG, DOCKER_CONFIG', 'registry credentials, as the docker CLI reads them'],
  ['CI', 'set: plain progress lines instead of a bar'],
  ['NO_COLOR', 'set: no colour'],
] as const;

const SERVER_ENV = [
  ['STIGMER_DATA_DIR', 'the data folder: lock, state, workspace (server.dataDir)'],
  ['STIGMER_CONTAINER_NAME', 'the container name (server.containerName)'],
] as const;

const START_ENV = [
  ['STIGMER_READY_TIMEOUT', 'how long to wait for running and healthy (server.readyTimeout)'],
  ['ANTHROPIC_API_KEY, OPENAI_API_KEY', 'passed to the agent-runner as secrets'],
  ['STIGMER_LLM_PROVIDER, _MODEL, _BASE_URL', "the agent-runner's LLM (llm.*; else ~/.stigmer/config.yaml)"],
] as const;

const STOP_ENV = [
  ['STIGMER_STOP_TIMEOUT', 'grace period before the engine kills (server.stopTimeout)'],
] as const;

/** Help of each command, keyed by its path (`image resolve`). */
export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  '': {
    examples: [
      'stigmer server start              # resolve the image, run the agent-runner',
      'stigmer image resolve --explain   # which image, and why',
      'stigmer help server logs          # the help of one command',
      'stigmer completion --help         # tab completion for bash, zsh, fish',
    ],
    env: [
      ...ENGINE_ENV,
      ['STIGMER_*', 'every setting has one; `stigmer config print` lists them with their sources'],
    ],
  },
  'image resolve': {
    examples: [
      'stigmer image resolve --explain',
      'stigmer image resolve --pull never --json | jq -r .image.reference',
      'stigmer image resolve --platform linux/arm64',
    ],
    env: [...RESOLVE_ENV, ...ENGINE_ENV, ...CONFIG_ENV],
  },
  'image pull': {
    examples: [
      'stigmer image pull',
      'CI=true stigmer image pull          # plain progress lines for logs',
      'stigmer image pull --platform linux/arm64 --explain',
    ],
    env: [...RESOLVE_ENV, ...ENGINE_ENV, ...CONFIG_ENV],
  },
  'image export': {
    examples: [
      'stigmer image export ./agent-runner-images',
      'stigmer image export /media/usb/stigmer --platform linux/arm64',
    ],
    env: [...RESOLVE_ENV, ...ENGINE_ENV],
  },
  'image import': {
    examples: [
      'stigmer image import ./agent-runner-images',
      'stigmer image import /media/usb/stigmer --json',
    ],
    env: [['STIGMER_PLATFORM', 'the platform the images must have (image.platform)'], ...ENGINE_ENV],
  },
  'config print': {
    examples: [
      'stigmer config print',
      'stigmer config print --config ./ci/.stigmerrc',
      'stigmer config print --json | jq \'.settings[] | select(.key == "engine.host")\'',
    ],
    env: [...ENGINE_ENV, ['STIGMER_*', 'each setting, as the table shows']],
  },
  'config validate': {
    examples: ['stigmer config validate', 'stigmer config validate --config .stigmerrc.yaml --json'],
    env: [['STIGMER_*', 'settings from the environment are checked too']],
  },
  'plugins list': {
    examples: ['stigmer plugins list', 'stigmer plugins list --json | jq -r ".plugins[].name"'],
  },
  'server start': {
    examples: [
      'stigmer server start',
      'stigmer server start --restart     # replace a container whose image or config changed',
      'stigmer server start --pull newer --explain',
    ],
    env: [...RESOLVE_ENV, ...SERVER_ENV, ...START_ENV, ...ENGINE_ENV],
  },
  'server restart': {
    examples: ['stigmer server restart', 'stigmer server restart --pull always'],
    env: [...RESOLVE_ENV, ...SERVER_ENV, ...START_ENV, ...STOP_ENV, ...ENGINE_ENV],
  },
  'server stop': {
    examples: ['stigmer server stop', 'STIGMER_STOP_TIMEOUT=30s stigmer server stop'],
    env: [...SERVER_ENV, ...STOP_ENV, ...ENGINE_ENV],
  },
  'server manifest': {
    examples: [
      'stigmer server manifest --format kubernetes > agent-runner.yaml   # notes on stderr',
      'stigmer server manifest --format kubernetes --replicas 3 --image registry.example/agent-runner@sha256:...',
      'stigmer server manifest --format kubernetes --include-secrets | kubectl apply -f -',
      'stigmer server manifest --format kubernetes --output json | jq .items[].kind',
      'stigmer server manifest --format kubernetes --json | jq .notes',
    ],
    env: [
      [
        'ANTHROPIC_API_KEY, OPENAI_API_KEY',
        'their names go in the Deployment; values only with --include-secrets',
      ],
      ...START_ENV.slice(2),
      ...SERVER_ENV,
      ...RESOLVE_ENV,
      ...ENGINE_ENV,
      ...CONFIG_ENV,
    ],
  },
  'server status': {
    examples: ['stigmer server status', 'stigmer server status --json | jq .running'],
    env: [...SERVER_ENV, ...ENGINE_ENV],
  },
  'server logs': {
    examples: [
      'stigmer server logs                 # the last 50 lines, then follow until Ctrl-C',
      'stigmer server logs --no-follow -n 200',
      'stigmer server logs --no-follow -n all --json | jq -r .line',
    ],
    env: [...SERVER_ENV, ...ENGINE_ENV],
  },
  version: {
    examples: ['stigmer version', 'stigmer -v', 'stigmer version --json'],
    env: ENGINE_ENV,
  },
  completion: {
    examples: [
      'source <(stigmer completion bash)                                   # bash, this shell',
      'stigmer completion bash > ~/.local/share/bash-completion/completions/stigmer',
      `stigmer completion zsh > "\${fpath[1]}/_stigmer"                      # zsh, then compinit`,
      'stigmer completion fish > ~/.config/fish/completions/stigmer.fish   # fish',
    ],
  },
};

/** The text after a command's options: examples, then environment. */
export function helpAfter(path: string): string {
  const help = COMMAND_HELP[path];
  if (!help) return '';
  const lines = ['', 'Examples:', ...help.examples.map((e) => `  $ ${e}`)];
  if (help.env && help.env.length > 0) {
    const width = Math.max(...help.env.map(([name]) => name.length));
    lines.push('', 'Environment:', ...help.env.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`));
  }
  if (path === '') lines.push('', "Run 'stigmer help <command>' for a command's options and examples.");
  return lines.join('\n');
}
