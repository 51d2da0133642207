import Bexy
import Hummingbird
import ServiceHTTP

/// `GET /profiles`: every profile as `bexy profiles NAME` shows it (name, description, python, limits, ...),
/// as `{"profiles": [...], "invalid": [{"name", "error"}]}`; a profile file that does not load is listed in
/// `invalid` with the reason rather than hidden.
struct ProfilesRoute: Sendable {
    let profiles: ProfileStore

    func register(on router: Router<BexyRequestContext>) {
        router.get("/profiles") { _, _ in
            var listing = Listing()
            for name in profiles.names() {
                do throws(ProfileError) {
                    listing.profiles.append(try profiles.profile(named: name))
                } catch {
                    listing.invalid.append(.init(name: name, error: error.description))
                }
            }
            return try JSONResponse.make(listing)
        }
    }
}

private struct Listing: Encodable {
    struct Invalid: Encodable {
        var name: String
        var error: String
    }

    var profiles: [Profile] = []
    var invalid: [Invalid] = []
}
