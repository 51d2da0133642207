import Contracts
import Jail

extension ProfileParser {
    /// Keys a profile may leave out.
    static let optionalTopLevelKeys = ["workspace"]

    /// `workspace`: absent (the profile runs no workspace commands), or the absolute path where a workspace
    /// command's workspace appears, one directory under the root that is not one of the root's own (`/workspace`).
    func parseWorkspace(_ value: JSONValue?) throws(ProfileError) -> RelativePath? {
        guard let value else { return nil }
        let text = try string(value, field: "workspace")
        guard text.hasPrefix("/"), let mountPoint = try? RelativePath(String(text.dropFirst())),
              WorkspaceMount.isValidMountPoint(mountPoint) else {
            throw error("workspace", "\(ErrorText.quoted(text)) is not a mount point: use one absolute directory "
                        + "under the root that the sandbox does not use itself, e.g. \"/workspace\"")
        }
        return mountPoint
    }
}
