import { HttpApiEndpoint, OpenApi } from "effect/http-api"
import * as Operation from "../Kit/Operation.ts"
import { Access } from "../Kit/Operation.ts"
import { InvalidCursor, PageQuery } from "../Kit/Page.ts"
import { PostId, PostNotFound, PostPage } from "./Post.ts"

export const BookmarkPost = Operation.make(
  {
    rpc: "BookmarkPost",
    access: Access.signedIn,
    params: { id: PostId },
    errors: [PostNotFound],
    summary: "Save a post",
    description: "Saving it again changes nothing."
  },
  (rest) => HttpApiEndpoint.put("save", "/posts/:id/bookmark", rest.options).middleware(rest.middleware)
)

export const RemoveBookmark = Operation.make(
  {
    rpc: "RemoveBookmark",
    access: Access.signedIn,
    params: { id: PostId },
    errors: [],
    summary: "Unsave a post",
    description: "Unsaving one not saved changes nothing."
  },
  (rest) => HttpApiEndpoint.delete("unsave", "/posts/:id/bookmark", rest.options).middleware(rest.middleware)
)

export const ListBookmarks = Operation.make(
  {
    rpc: "ListBookmarks",
    access: Access.signedIn,
    query: PageQuery,
    success: PostPage,
    errors: [InvalidCursor],
    summary: "Your saved posts",
    description:
      "Most recently saved first. A saved post you may no longer see is left out, so a page may hold fewer than `limit`."
  },
  (rest) => HttpApiEndpoint.get("list", "/me/bookmarks", rest.options).middleware(rest.middleware)
)

export const BookmarksOperations = [BookmarkPost, RemoveBookmark, ListBookmarks] as const

export class BookmarksApi extends Operation.httpGroup("bookmarks", BookmarksOperations).annotateMerge(
  OpenApi.annotations({ title: "Bookmarks", description: "Posts you saved" })
) {}
