// Tagged templates for preact (htm): the console's pages are plain ES modules, no build step.
import { h, Fragment } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
export { Fragment };
