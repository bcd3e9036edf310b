export {
  COMPOSE_COMMANDS,
  ComposeCli,
  type ComposeFlavour,
  type ComposeResult,
  composeInstalled,
  detectCompose,
  lastLines,
} from './compose-cli';
export {
  hostExtraCaCertificates,
  type RunningStack,
  startComposeStack,
  whyContainersAreUnavailable,
} from './compose-stack';
export { ComposeSuite, type ComposeStackUnderTest } from './compose-suite';
export { type Account, type ApiResponse, GatewayClient } from './gateway-client';
export {
  containerLog,
  execIn,
  networkIsInternal,
  processUids,
  projectContainerIds,
  publicMetadata,
  type StackContainer,
  stackContainers,
} from './stack-containers';
