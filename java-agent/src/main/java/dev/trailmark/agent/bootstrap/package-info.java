/**
 * The few classes put on the bootstrap class path so that code woven into any class loader can
 * reach the agent: the premain entry point, the isolated agent class loader and the bridge to its
 * hooks.
 *
 * <p>Not API: these are public only because class loaders other than the agent's must see them.
 */
package dev.trailmark.agent.bootstrap;
