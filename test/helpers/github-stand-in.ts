/** The loopback stand-in of GitHub's REST API lives beside the demo, which uses it too. */
export {
  GitHubStandIn,
  type RecordedCall,
  type StandInComment,
  type StandInMode
} from '../../scripts/github-stand-in.mjs';
